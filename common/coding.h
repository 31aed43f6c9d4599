// Fixed-width little-endian integers in byte strings: how every on-disk
// format of the engine writes numbers (the fixed half of LevelDB's coding.h).
//
// Thread-safe: pure functions.
#ifndef JSENGINE_COMMON_CODING_H_
#define JSENGINE_COMMON_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>

namespace jsengine::common {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the file formats assume little-endian");

inline void PutFixed16(std::string* out, uint16_t v) {
  out->append(reinterpret_cast<char*>(&v), 2);
}
inline void PutFixed32(std::string* out, uint32_t v) {
  out->append(reinterpret_cast<char*>(&v), 4);
}
inline void PutFixed64(std::string* out, uint64_t v) {
  out->append(reinterpret_cast<char*>(&v), 8);
}

inline uint16_t Fixed16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
inline uint32_t Fixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t Fixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_CODING_H_
