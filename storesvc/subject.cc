#include "storesvc/subject.h"

#include <vector>

#include "absl/strings/str_split.h"

namespace jsengine::storesvc {
namespace {

std::vector<absl::string_view> Tokens(absl::string_view s) { return absl::StrSplit(s, '.'); }

}  // namespace

bool IsValidSubject(absl::string_view subject) {
  if (subject.empty()) return false;
  std::vector<absl::string_view> tokens = Tokens(subject);
  for (size_t i = 0; i < tokens.size(); ++i) {
    absl::string_view t = tokens[i];
    if (t.empty()) return false;
    for (char c : t) {
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') return false;
    }
    if (t == ">" && i + 1 != tokens.size()) return false;
  }
  return true;
}

bool IsLiteralSubject(absl::string_view subject) {
  for (absl::string_view t : Tokens(subject)) {
    if (t == "*" || t == ">") return false;
  }
  return true;
}

bool SubjectMatches(absl::string_view subject, absl::string_view filter) {
  if (filter.empty() || filter == ">") return !subject.empty();
  if (subject == filter) return true;
  std::vector<absl::string_view> s = Tokens(subject);
  std::vector<absl::string_view> f = Tokens(filter);
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == ">") return s.size() > i;
    if (i >= s.size()) return false;
    if (f[i] != "*" && f[i] != s[i]) return false;
  }
  return s.size() == f.size();
}

bool SubjectsCollide(absl::string_view a, absl::string_view b) {
  if (a == b) return true;
  std::vector<absl::string_view> x = Tokens(a);
  std::vector<absl::string_view> y = Tokens(b);
  size_t n = std::min(x.size(), y.size());
  for (size_t i = 0; i < n; ++i) {
    if (x[i] == ">" || y[i] == ">") return true;
    if (x[i] != "*" && y[i] != "*" && x[i] != y[i]) return false;
  }
  return x.size() == y.size();
}

}  // namespace jsengine::storesvc
