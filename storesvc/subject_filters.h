// SubjectFilters: several subject filters read as one, as the index looks
// them up: a subject matches if any filter matches it. No filters, or an
// empty one or ">" among them, match every subject.
//
//   SubjectFilters f({"orders.new", "users.*"});
//   f.Matches("users.7");  // true
//
// Thread-safety: thread-safe after construction (const).
#ifndef JSENGINE_STORESVC_SUBJECT_FILTERS_H_
#define JSENGINE_STORESVC_SUBJECT_FILTERS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace jsengine::storesvc {

class SubjectFilters {
 public:
  // Every subject.
  SubjectFilters() = default;
  explicit SubjectFilters(std::vector<std::string> filters);
  explicit SubjectFilters(absl::string_view filter);

  bool all() const { return all_; }
  // The filters without wildcards, sorted and without repeats. Empty when
  // all().
  const std::vector<std::string>& literals() const { return literals_; }
  // Whether any filter has a wildcard (other than a lone ">").
  bool has_wildcards() const { return !wildcards_.empty(); }

  // Whether the literal `subject` matches any filter.
  bool Matches(absl::string_view subject) const;

 private:
  bool all_ = true;
  std::vector<std::string> literals_;
  std::vector<std::string> wildcards_;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_SUBJECT_FILTERS_H_
