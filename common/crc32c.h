// CRC-32C (Castagnoli), the checksum of every record the file store writes.
//
// With the SSE4.2 crc32 instruction where the CPU has it (checked once at
// run time; three streams at once over long inputs), else software
// slicing-by-8. Mask() turns a CRC into
// the value stored on disk so that a CRC of data containing CRCs stays strong
// (the same trick as LevelDB's crc32c::Mask).
//
// Thread-safe: pure functions over constant tables.
#ifndef JSENGINE_COMMON_CRC32C_H_
#define JSENGINE_COMMON_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace jsengine::common::crc32c {

// The CRC of data[0, n) continued from the CRC `init` of earlier bytes.
uint32_t Extend(uint32_t init, const char* data, size_t n);

inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }

namespace internal {
// The software implementation, whatever the CPU (tests compare the two).
uint32_t ExtendPortable(uint32_t init, const char* data, size_t n);
}  // namespace internal

inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

}  // namespace jsengine::common::crc32c

#endif  // JSENGINE_COMMON_CRC32C_H_
