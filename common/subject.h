// Subject syntax: validation and wildcard matching of NATS subjects
// ("a.b.c", with `*` matching one token and a final `>` one or more).
// Pure functions, thread-safe.
#ifndef JSENGINE_COMMON_SUBJECT_H_
#define JSENGINE_COMMON_SUBJECT_H_

#include <string_view>

namespace jsengine::common {

// A subject a subscription may use: non-empty tokens, no whitespace, `>`
// only as the last token.
bool IsValidSubject(std::string_view subject);

// A valid subject without wildcard tokens (what a publish may use).
bool IsValidLiteralSubject(std::string_view subject);

// True if the literal `subject` matches the (possibly wildcard) `pattern`.
bool SubjectMatches(std::string_view pattern, std::string_view subject);

// True if every subject `subject` (possibly wildcard) can match is also
// matched by `pattern`, e.g. "foo.*" is a subset of "foo.>".
bool SubjectIsSubsetOf(std::string_view subject, std::string_view pattern);

// True if some literal subject matches both (possibly wildcard) subjects,
// e.g. "foo.*" and "*.bar"; how streams' subjects are checked for overlap.
bool SubjectsCollide(std::string_view a, std::string_view b);

// Debian's abseil has its own string_view type; this views the same bytes.
template <typename StringView>
std::string_view AsStdStringView(const StringView& s) {
  return std::string_view(s.data(), s.size());
}

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_SUBJECT_H_
