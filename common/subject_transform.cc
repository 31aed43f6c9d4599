#include "common/subject_transform.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/subject.h"

namespace jsengine::common {
namespace {

// n from "{{wildcard(n)}}" or "$n"; nullopt for any other token.
std::optional<int> WildcardRef(absl::string_view token) {
  int n = 0;
  if (absl::ConsumePrefix(&token, "$")) {
    if (absl::SimpleAtoi(token, &n)) return n;
    return std::nullopt;
  }
  if (!absl::ConsumePrefix(&token, "{{") || !absl::ConsumeSuffix(&token, "}}")) return std::nullopt;
  token = absl::StripAsciiWhitespace(token);
  if (!absl::ConsumePrefix(&token, "wildcard(") || !absl::ConsumeSuffix(&token, ")")) {
    return std::nullopt;
  }
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(token), &n)) return std::nullopt;
  return n;
}

}  // namespace

absl::StatusOr<SubjectTransform> SubjectTransform::Create(absl::string_view src,
                                                          absl::string_view dest) {
  SubjectTransform tr;
  tr.src_ = src.empty() ? ">" : std::string(src);
  if (!IsValidSubject(tr.src_)) {
    return absl::InvalidArgumentError("invalid transform source");
  }
  tr.src_tokens_ = absl::StrSplit(tr.src_, '.');
  for (size_t i = 0; i < tr.src_tokens_.size(); ++i) {
    if (tr.src_tokens_[i] == "*") tr.src_wildcards_.push_back(static_cast<int>(i));
  }
  const bool src_rest = tr.src_tokens_.back() == ">";
  if (dest.empty() || dest == ">") {
    tr.keep_ = dest.empty() || src_rest;
    if (!tr.keep_) return absl::InvalidArgumentError("invalid transform destination");
    return tr;
  }
  int next_star = 0;
  bool explicit_refs = false;
  for (absl::string_view token : absl::StrSplit(dest, '.')) {
    if (token.empty()) return absl::InvalidArgumentError("invalid transform destination");
    Token t;
    if (std::optional<int> n = WildcardRef(token); n.has_value()) {
      if (*n < 1 || *n > static_cast<int>(tr.src_wildcards_.size())) {
        return absl::InvalidArgumentError("transform destination wildcard out of range");
      }
      explicit_refs = true;
      t.kind = Token::kWildcard;
      t.index = *n - 1;
    } else if (token == "*") {
      if (next_star >= static_cast<int>(tr.src_wildcards_.size())) {
        return absl::InvalidArgumentError("transform destination has too many wildcards");
      }
      t.kind = Token::kWildcard;
      t.index = next_star++;
    } else if (token == ">") {
      if (!src_rest) return absl::InvalidArgumentError("transform destination '>' without source");
      t.kind = Token::kRest;
    } else if (absl::StartsWith(token, "{{")) {
      return absl::InvalidArgumentError("unsupported transform function");
    } else {
      t.kind = Token::kLiteral;
      t.text = std::string(token);
    }
    tr.dest_.push_back(std::move(t));
  }
  for (size_t i = 0; i + 1 < tr.dest_.size(); ++i) {
    if (tr.dest_[i].kind == Token::kRest) {
      return absl::InvalidArgumentError("'>' must be the destination's last token");
    }
  }
  if (explicit_refs && next_star > 0) {
    return absl::InvalidArgumentError("transform destination mixes '*' and wildcard references");
  }
  return tr;
}

std::optional<std::string> SubjectTransform::Apply(absl::string_view subject) const {
  if (!SubjectMatches(src_, AsStdStringView(subject))) return std::nullopt;
  if (keep_) return std::string(subject);
  std::vector<absl::string_view> tokens = absl::StrSplit(subject, '.');
  std::vector<std::string> out;
  out.reserve(dest_.size());
  for (const Token& t : dest_) {
    switch (t.kind) {
      case Token::kLiteral:
        out.push_back(t.text);
        break;
      case Token::kWildcard:
        out.emplace_back(tokens[src_wildcards_[t.index]]);
        break;
      case Token::kRest: {
        std::vector<absl::string_view> rest(tokens.begin() + (src_tokens_.size() - 1),
                                            tokens.end());
        out.push_back(absl::StrJoin(rest, "."));
        break;
      }
    }
  }
  return absl::StrJoin(out, ".");
}

}  // namespace jsengine::common
