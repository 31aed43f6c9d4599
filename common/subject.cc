#include "common/subject.h"

namespace jsengine::common {
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

bool SubjectsCollide(std::string_view a, std::string_view b) {
  if (a == b) return true;
  while (true) {
    size_t a_end = a.find('.');
    size_t b_end = b.find('.');
    std::string_view a_token = a.substr(0, a_end);
    std::string_view b_token = b.substr(0, b_end);
    if (a_token == ">" || b_token == ">") return true;
    if (a_token != "*" && b_token != "*" && a_token != b_token) return false;
    bool a_last = a_end == std::string_view::npos;
    bool b_last = b_end == std::string_view::npos;
    if (a_last || b_last) return a_last && b_last;
    a.remove_prefix(a_end + 1);
    b.remove_prefix(b_end + 1);
  }
}

}  // namespace jsengine::common
