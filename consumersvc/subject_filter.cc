#include "consumersvc/subject_filter.h"

#include <utility>

#include "common/subject.h"

namespace jsengine::consumersvc {

SubjectFilter::SubjectFilter(std::vector<std::string> subjects) : subjects_(std::move(subjects)) {
  for (const std::string& s : subjects_) {
    literal_.push_back(s.find_first_of("*>") == std::string::npos);
  }
}

SubjectFilter SubjectFilter::Of(const v1::ConsumerConfig& config) {
  std::vector<std::string> subjects(config.filter_subjects().begin(),
                                    config.filter_subjects().end());
  if (!config.filter_subject().empty()) subjects.push_back(config.filter_subject());
  return SubjectFilter(std::move(subjects));
}

bool SubjectFilter::Matches(std::string_view subject) const {
  if (subjects_.empty()) return true;
  for (size_t i = 0; i < subjects_.size(); ++i) {
    if (literal_[i] ? subjects_[i] == subject : common::SubjectMatches(subjects_[i], subject)) {
      return true;
    }
  }
  return false;
}

}  // namespace jsengine::consumersvc
