#include "common/go_json_writer.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace jsengine::common {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at the start of `s` (which begins with a
// byte >= 0x80), or 0 when it is invalid, by Go's utf8.DecodeRuneInString.
size_t ValidUtf8Length(absl::string_view s, uint32_t* rune) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) {
    if (!cont(1)) return 0;
    *rune = ((c & 0x1F) << 6) | (b(1) & 0x3F);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // Overlong.
    if (c == 0xED && b(1) >= 0xA0) return 0;  // Surrogate.
    *rune = ((c & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // Overlong.
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // Above U+10FFFF.
    *rune = ((c & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    return 4;
  }
  return 0;
}

void AppendPadded(int64_t value, int width, std::string* out) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  for (int i = n; i < width; ++i) out->push_back('0');
  while (n > 0) out->push_back(buf[--n]);
}

}  // namespace

void AppendGoJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
        out->push_back(static_cast<char>(c));
      } else if (c == '"' || c == '\\') {
        out->push_back('\\');
        out->push_back(static_cast<char>(c));
      } else if (c == '\n') {
        out->append("\\n");
      } else if (c == '\r') {
        out->append("\\r");
      } else if (c == '\t') {
        out->append("\\t");
      } else {
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
      }
      ++i;
      continue;
    }
    uint32_t rune = 0;
    size_t len = ValidUtf8Length(s.substr(i), &rune);
    if (len == 0) {
      out->append("\\ufffd");
      ++i;
    } else if (rune == 0x2028 || rune == 0x2029) {
      out->append(rune == 0x2028 ? "\\u2028" : "\\u2029");
      i += len;
    } else {
      out->append(s.data() + i, len);
      i += len;
    }
  }
  out->push_back('"');
}

void AppendGoTime(int64_t ns, std::string* out) {
  if (ns == 0) {
    out->append("0001-01-01T00:00:00Z");
    return;
  }
  int64_t seconds = ns / 1000000000;
  int64_t nanos = ns % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    --seconds;
  }
  absl::CivilSecond cs = absl::ToCivilSecond(absl::FromUnixSeconds(seconds), absl::UTCTimeZone());
  AppendPadded(cs.year(), 4, out);
  out->push_back('-');
  AppendPadded(cs.month(), 2, out);
  out->push_back('-');
  AppendPadded(cs.day(), 2, out);
  out->push_back('T');
  AppendPadded(cs.hour(), 2, out);
  out->push_back(':');
  AppendPadded(cs.minute(), 2, out);
  out->push_back(':');
  AppendPadded(cs.second(), 2, out);
  if (nanos != 0) {
    int digits = 9;
    while (nanos % 10 == 0) {
      nanos /= 10;
      --digits;
    }
    out->push_back('.');
    AppendPadded(nanos, digits, out);
  }
  out->push_back('Z');
}

std::string GoTime(int64_t ns) {
  std::string out;
  AppendGoTime(ns, &out);
  return out;
}

void GoJsonWriter::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!needs_comma_.empty()) {
    if (needs_comma_.back()) out_->push_back(',');
    needs_comma_.back() = true;
  }
}

void GoJsonWriter::BeginObject() {
  Separate();
  out_->push_back('{');
  needs_comma_.push_back(false);
}

void GoJsonWriter::EndObject() {
  out_->push_back('}');
  needs_comma_.pop_back();
}

void GoJsonWriter::BeginArray() {
  Separate();
  out_->push_back('[');
  needs_comma_.push_back(false);
}

void GoJsonWriter::EndArray() {
  out_->push_back(']');
  needs_comma_.pop_back();
}

void GoJsonWriter::Key(absl::string_view key) {
  Separate();
  AppendGoJsonString(key, out_);
  out_->push_back(':');
  after_key_ = true;
}

void GoJsonWriter::String(absl::string_view value) {
  Separate();
  AppendGoJsonString(value, out_);
}

void GoJsonWriter::Int(int64_t value) {
  Separate();
  absl::StrAppend(out_, value);
}

void GoJsonWriter::Uint(uint64_t value) {
  Separate();
  absl::StrAppend(out_, value);
}

void GoJsonWriter::Bool(bool value) {
  Separate();
  out_->append(value ? "true" : "false");
}

void GoJsonWriter::Null() {
  Separate();
  out_->append("null");
}

void GoJsonWriter::Bytes(absl::string_view value) {
  Separate();
  out_->push_back('"');
  out_->append(absl::Base64Escape(value));
  out_->push_back('"');
}

void GoJsonWriter::Time(int64_t ns) {
  Separate();
  out_->push_back('"');
  AppendGoTime(ns, out_);
  out_->push_back('"');
}

void GoJsonWriter::OptString(absl::string_view key, absl::string_view value) {
  if (value.empty()) return;
  Key(key);
  String(value);
}

void GoJsonWriter::OptInt(absl::string_view key, int64_t value) {
  if (value == 0) return;
  Key(key);
  Int(value);
}

void GoJsonWriter::OptBool(absl::string_view key, bool value) {
  if (!value) return;
  Key(key);
  Bool(value);
}

}  // namespace jsengine::common
