#include "gateway/core/subject.h"

namespace jsengine {
namespace core {
namespace {

// Yields the tokens of a subject one by one.
class Tokens {
 public:
  explicit Tokens(std::string_view s) : s_(s) {}
  bool Next(std::string_view* token) {
    if (done_) return false;
    size_t dot = s_.find('.', pos_);
    if (dot == std::string_view::npos) {
      *token = s_.substr(pos_);
      done_ = true;
    } else {
      *token = s_.substr(pos_, dot - pos_);
      pos_ = dot + 1;
    }
    return true;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  bool done_ = false;
};

bool ValidSubject(std::string_view subject, bool allow_wildcards) {
  if (subject.empty()) return false;
  for (char c : subject) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') return false;
  }
  Tokens tokens(subject);
  std::string_view t;
  bool seen_fwc = false;
  while (tokens.Next(&t)) {
    if (t.empty() || seen_fwc) return false;
    if (t == "*" || t == ">") {
      if (!allow_wildcards) return false;
      seen_fwc = t == ">";
    }
  }
  return true;
}

}  // namespace

bool IsValidSubject(std::string_view subject) { return ValidSubject(subject, true); }

bool IsValidLiteralSubject(std::string_view subject) { return ValidSubject(subject, false); }

bool SubjectMatches(std::string_view pattern, std::string_view subject) {
  Tokens p(pattern), s(subject);
  std::string_view pt, st;
  while (p.Next(&pt)) {
    if (pt == ">") return s.Next(&st);
    if (!s.Next(&st)) return false;
    if (pt != "*" && pt != st) return false;
  }
  return !s.Next(&st);
}

bool SubjectIsSubsetOf(std::string_view subject, std::string_view pattern) {
  Tokens p(pattern), s(subject);
  std::string_view pt, st;
  while (p.Next(&pt)) {
    if (pt == ">") return s.Next(&st);
    if (!s.Next(&st)) return false;
    if (st == ">") return false;
    if (pt != "*" && (st == "*" || pt != st)) return false;
  }
  return !s.Next(&st);
}

}  // namespace core
}  // namespace jsengine
