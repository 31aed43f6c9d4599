#include "storesvc/subject_filters.h"

#include <algorithm>
#include <utility>

#include "common/subject.h"

namespace jsengine::storesvc {

SubjectFilters::SubjectFilters(std::vector<std::string> filters) {
  all_ = filters.empty();
  for (std::string& filter : filters) {
    if (filter.empty() || filter == ">") {
      all_ = true;
    } else if (common::IsValidLiteralSubject(filter)) {
      literals_.push_back(std::move(filter));
    } else {
      wildcards_.push_back(std::move(filter));
    }
  }
  if (all_) {
    literals_.clear();
    wildcards_.clear();
  }
  std::sort(literals_.begin(), literals_.end());
  literals_.erase(std::unique(literals_.begin(), literals_.end()), literals_.end());
}

SubjectFilters::SubjectFilters(absl::string_view filter)
    : SubjectFilters(std::vector<std::string>{std::string(filter)}) {}

bool SubjectFilters::Matches(absl::string_view subject) const {
  if (all_) return true;
  const std::string_view s = common::AsStdStringView(subject);
  for (const std::string& literal : literals_) {
    if (literal == s) return true;
  }
  for (const std::string& wildcard : wildcards_) {
    if (common::SubjectMatches(wildcard, s)) return true;
  }
  return false;
}

}  // namespace jsengine::storesvc
