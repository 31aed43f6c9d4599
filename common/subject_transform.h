// SubjectTransform: nats-server's subject mapping for stream sources,
// mirrors and republish (a source filter and a destination).
//
//   auto tr = SubjectTransform::Create("orders.*.*", "east.{{wildcard(2)}}.$1");
//   tr->Apply("orders.a.b");  // "east.b.a"; nullopt if the subject does not match
//
// The destination may name the source's `*` tokens as {{wildcard(n)}} or $n
// (1-based); otherwise its `*` tokens take the source's in order, and a final
// `>` takes what the source's `>` matched. An empty destination keeps the
// subject. Other mapping functions (partition, split...) are refused.
//
// Thread-safety: immutable after Create(); Apply() is safe to call
// concurrently.
#ifndef JSENGINE_COMMON_SUBJECT_TRANSFORM_H_
#define JSENGINE_COMMON_SUBJECT_TRANSFORM_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jsengine::common {

class SubjectTransform {
 public:
  // `src` empty means ">". InvalidArgument when either side is malformed.
  static absl::StatusOr<SubjectTransform> Create(absl::string_view src, absl::string_view dest);

  // The subject `subject` maps to, or nullopt when it does not match src.
  std::optional<std::string> Apply(absl::string_view subject) const;

  const std::string& src() const { return src_; }

 private:
  // A destination token: literal text, the n-th `*` of src (0-based), or
  // what src's trailing `>` matched.
  struct Token {
    enum Kind { kLiteral, kWildcard, kRest } kind;
    std::string text;
    int index = 0;
  };

  std::string src_;
  std::vector<std::string> src_tokens_;
  std::vector<int> src_wildcards_;  // Positions of src's `*` tokens.
  bool keep_ = false;               // Empty destination: the subject as is.
  std::vector<Token> dest_;
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_SUBJECT_TRANSFORM_H_
