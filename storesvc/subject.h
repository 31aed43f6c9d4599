// NATS subject rules the store needs: validity, literal-vs-filter matching
// and whether two filters can match a common subject.
//
// Subjects are '.'-separated non-empty tokens; '*' matches one token and '>'
// (last token only) one or more. Thread-safe: pure functions.
#ifndef JSENGINE_STORESVC_SUBJECT_H_
#define JSENGINE_STORESVC_SUBJECT_H_

#include "absl/strings/string_view.h"

namespace jsengine::storesvc {

// True for a well-formed subject, wildcards allowed.
bool IsValidSubject(absl::string_view subject);

// True when `subject` contains no wildcard tokens.
bool IsLiteralSubject(absl::string_view subject);

// True when the literal `subject` matches `filter`. An empty filter matches
// everything.
bool SubjectMatches(absl::string_view subject, absl::string_view filter);

// True when some literal subject matches both `a` and `b`.
bool SubjectsCollide(absl::string_view a, absl::string_view b);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_SUBJECT_H_
