// SubjectFilter: which subjects a consumer takes, from its filter_subject or
// filter_subjects (2.10); empty takes every subject of the stream.
//
// Thread-safe after construction (const).
#ifndef JSENGINE_CONSUMERSVC_SUBJECT_FILTER_H_
#define JSENGINE_CONSUMERSVC_SUBJECT_FILTER_H_

#include <string>
#include <string_view>
#include <vector>

#include "proto/consumer.pb.h"

namespace jsengine::consumersvc {

class SubjectFilter {
 public:
  SubjectFilter() = default;
  explicit SubjectFilter(std::vector<std::string> subjects);
  static SubjectFilter Of(const v1::ConsumerConfig& config);

  bool Matches(std::string_view subject) const;
  bool empty() const { return subjects_.empty(); }
  // The one subject a store can filter on by itself, if there is exactly one.
  const std::string* single() const { return subjects_.size() == 1 ? &subjects_[0] : nullptr; }
  const std::vector<std::string>& subjects() const { return subjects_; }

 private:
  std::vector<std::string> subjects_;
  std::vector<bool> literal_;
};

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_SUBJECT_FILTER_H_
