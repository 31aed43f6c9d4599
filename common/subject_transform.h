// SubjectTransform: nats-server's subject transform (subject_transform.go),
// which rewrites a published subject matching a source pattern into a
// destination, e.g. src "orders.*.*" dest "shop.{{wildcard(2)}}.$1".
// A stream's `subject_transform` applies it to every stored publish.
//
//   absl::StatusOr<SubjectTransform> t = SubjectTransform::Create("a.*", "b.$1");
//   std::optional<std::string> to = t->Match("a.x");  // "b.x"
//
// Destinations may use $N and the mustache functions of nats-server 2.10
// (wildcard, partition, splitFromLeft/Right, sliceFromLeft/Right, split,
// left, right); Create() refuses a bad one with nats-server's error text.
//
// Thread-safe once created (const).
#ifndef JSENGINE_COMMON_SUBJECT_TRANSFORM_H_
#define JSENGINE_COMMON_SUBJECT_TRANSFORM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace jsengine::common {

class SubjectTransform {
 public:
  // An empty `src` means ">". An empty `dest` is no transform: Match()
  // returns a matching subject unchanged. Errors are InvalidArgument with
  // nats-server's message, e.g. "invalid subject" or "invalid mapping
  // destination: wildcard index out of range in {{wildcard(3)}}".
  static absl::StatusOr<SubjectTransform> Create(std::string_view src, std::string_view dest);

  // The transformed subject when the literal `subject` matches the source;
  // nullopt when it does not (or is not a valid literal subject).
  std::optional<std::string> Match(std::string_view subject) const;

  enum class Fn : int8_t {
    kNone,
    kPartition,
    kWildcard,
    kSplitFromLeft,
    kSplitFromRight,
    kSliceFromLeft,
    kSliceFromRight,
    kSplit,
    kLeft,
    kRight,
  };

  // How one destination token is made.
  struct DestToken {
    std::string literal;  // kNone: the token itself.
    Fn fn = Fn::kNone;
    std::vector<int> src_tokens;  // Indexes into the source's tokens.
    int32_t int_arg = -1;
    std::string string_arg;
  };

 private:
  SubjectTransform() = default;

  std::string Apply(const std::vector<std::string_view>& tokens) const;

  std::string src_;
  std::string dest_;
  size_t src_token_count_ = 0;
  std::vector<DestToken> dest_tokens_;
  bool dest_ends_with_fwc_ = false;
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_SUBJECT_TRANSFORM_H_
