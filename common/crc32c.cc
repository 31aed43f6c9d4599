#include "common/crc32c.h"

#include <array>
#include <cstring>

namespace jsengine::common::crc32c {
namespace {

constexpr uint32_t kPoly = 0x82f63b78u;  // Reflected Castagnoli polynomial.

struct Tables {
  uint32_t t[8][256];
  Tables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
    }
  }
};

const Tables& GetTables() {
  static const Tables* tables = new Tables();
  return *tables;
}

#if defined(__x86_64__)
// The SSE4.2 crc32 instruction computes CRC-32C 8 bytes at a time, but each
// one waits for the last (3 cycles), so long inputs run three independent
// streams over three equal blocks and join them: the register after block
// A then B is the register after A moved through |B| zero bytes (a linear
// map, applied by table) xor the register after B alone.

__attribute__((target("sse4.2"))) uint64_t Crc8(uint64_t c, const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_ia32_crc32di(c, v);
}

// The register moved through `len` zero bytes, as four byte-indexed tables.
struct ZerosShift {
  uint32_t t[4][256];

  __attribute__((target("sse4.2"))) explicit ZerosShift(size_t len) {
    uint32_t basis[32];
    for (int i = 0; i < 32; ++i) {
      uint64_t c = uint64_t{1} << i;
      for (size_t k = 0; k < len / 8; ++k) c = __builtin_ia32_crc32di(c, 0);
      basis[i] = static_cast<uint32_t>(c);
    }
    for (int k = 0; k < 4; ++k) {
      for (uint32_t b = 0; b < 256; ++b) {
        uint32_t v = 0;
        for (int bit = 0; bit < 8; ++bit) {
          if ((b >> bit) & 1) v ^= basis[8 * k + bit];
        }
        t[k][b] = v;
      }
    }
  }

  uint64_t operator()(uint64_t c) const {
    return t[0][c & 0xff] ^ t[1][(c >> 8) & 0xff] ^ t[2][(c >> 16) & 0xff] ^ t[3][(c >> 24) & 0xff];
  }
};

constexpr size_t kLongBlock = 8192;
constexpr size_t kShortBlock = 256;

// Runs three streams over blocks of `block` bytes while 3 * block remain.
__attribute__((target("sse4.2"))) uint64_t ExtendTriples(uint64_t c, const char** data, size_t* n,
                                                         size_t block, const ZerosShift& shift) {
  const char* p = *data;
  while (*n >= 3 * block) {
    uint64_t c1 = 0;
    uint64_t c2 = 0;
    for (const char* end = p + block; p < end; p += 8) {
      c = Crc8(c, p);
      c1 = Crc8(c1, p + block);
      c2 = Crc8(c2, p + 2 * block);
    }
    c = shift(c) ^ c1;
    c = shift(c) ^ c2;
    p += 2 * block;
    *n -= 3 * block;
  }
  *data = p;
  return c;
}

__attribute__((target("sse4.2"))) uint32_t ExtendSse42(uint32_t init, const char* data, size_t n) {
  uint64_t c = static_cast<uint32_t>(~init);
  if (n >= 3 * kShortBlock) {
    static const ZerosShift* long_shift = new ZerosShift(kLongBlock);
    static const ZerosShift* short_shift = new ZerosShift(kShortBlock);
    c = ExtendTriples(c, &data, &n, kLongBlock, *long_shift);
    c = ExtendTriples(c, &data, &n, kShortBlock, *short_shift);
  }
  while (n >= 8) {
    c = Crc8(c, data);
    data += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = __builtin_ia32_crc32qi(c32, static_cast<unsigned char>(*data++));
  return ~c32;
}
#endif

using ExtendFn = uint32_t (*)(uint32_t, const char*, size_t);

ExtendFn ChooseExtend() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("sse4.2")) return ExtendSse42;
#endif
  return internal::ExtendPortable;
}

}  // namespace

namespace internal {

uint32_t ExtendPortable(uint32_t init, const char* data, size_t n) {
  const Tables& tb = GetTables();
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  uint32_t c = ~init;
  while (n >= 8) {
    uint32_t lo;
    uint32_t hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = tb.t[7][lo & 0xff] ^ tb.t[6][(lo >> 8) & 0xff] ^ tb.t[5][(lo >> 16) & 0xff] ^
        tb.t[4][lo >> 24] ^ tb.t[3][hi & 0xff] ^ tb.t[2][(hi >> 8) & 0xff] ^
        tb.t[1][(hi >> 16) & 0xff] ^ tb.t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = tb.t[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

}  // namespace internal

uint32_t Extend(uint32_t init, const char* data, size_t n) {
  static const ExtendFn extend = ChooseExtend();
  return extend(init, data, n);
}

}  // namespace jsengine::common::crc32c
