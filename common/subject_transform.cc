#include "common/subject_transform.h"

#include <map>
#include <regex>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/subject.h"

namespace jsengine::common {
namespace {

using Fn = SubjectTransform::Fn;
using DestToken = SubjectTransform::DestToken;

constexpr std::string_view kInvalidDest = "invalid mapping destination";
constexpr std::string_view kOutOfRange = "wildcard index out of range";
constexpr std::string_view kNotEnoughArgs = "not enough arguments passed to the function";
constexpr std::string_view kTooManyArgs = "too many arguments passed to the function";
constexpr std::string_view kInvalidArg = "function argument is invalid or in the wrong format";
constexpr std::string_view kUnknownFunction = "unknown function";

absl::Status DestError(std::string_view what, std::string_view token) {
  std::string message(kInvalidDest);
  message.append(": ").append(what).append(" in ").append(token);
  return absl::InvalidArgumentError(message);
}

// Go's strconv.Atoi: an optional sign and decimal digits, nothing else.
std::optional<int> GoAtoi(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return negative ? -v : v;
}

// Go's strings.Trim(s, " ").
std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// nats-server's getMappingFunctionArgs: the comma-separated arguments of a
// function `re` matches in `token`; nullopt when it does not match.
std::optional<std::vector<std::string>> FunctionArgs(const std::regex& re,
                                                     const std::string& token) {
  std::smatch m;
  if (!std::regex_search(token, m, re)) return std::nullopt;
  static const std::regex kComma(",\\s*");
  const std::string args = m[1].str();
  std::vector<std::string> out;
  std::sregex_token_iterator it(args.begin(), args.end(), kComma, -1), end;
  for (; it != end; ++it) out.push_back(*it);
  if (out.empty()) out.push_back("");
  return out;
}

absl::StatusOr<DestToken> IndexIntArgs(const std::string& token,
                                       const std::vector<std::string>& args, Fn fn) {
  if (args.size() < 2) return DestError(kNotEnoughArgs, token);
  if (args.size() > 2) return DestError(kTooManyArgs, token);
  std::optional<int> index = GoAtoi(TrimSpaces(args[0]));
  std::optional<int> n = GoAtoi(TrimSpaces(args[1]));
  if (!index || !n) return DestError(kInvalidArg, token);
  DestToken out;
  out.fn = fn;
  out.src_tokens = {*index};
  out.int_arg = *n;
  return out;
}

// nats-server's indexPlaceHolders: what one destination token asks for;
// src_tokens hold wildcard numbers (1-based), not yet source indexes.
absl::StatusOr<DestToken> ParseDestToken(const std::string& token) {
  DestToken out;
  out.literal = token;
  const size_t n = token.size();
  if (n <= 1) return out;
  if (token[0] == '$') {
    std::optional<int> index = GoAtoi(std::string_view(token).substr(1));
    if (!index) return out;
    out.fn = Fn::kWildcard;
    out.src_tokens = {*index};
    return out;
  }
  if (n <= 4 || token.compare(0, 2, "{{") != 0 || token.compare(n - 2, 2, "}}") != 0) return out;

  static const std::regex kWildcard(R"(\{\{\s*[wW]ildcard\s*\((.*)\)\s*\}\})");
  static const std::regex kPartition(R"(\{\{\s*[pP]artition\s*\((.*)\)\s*\}\})");
  static const std::regex kSplitFromLeft(R"(\{\{\s*[sS]plit[fF]rom[lL]eft\s*\((.*)\)\s*\}\})");
  static const std::regex kSplitFromRight(R"(\{\{\s*[sS]plit[fF]rom[rR]ight\s*\((.*)\)\s*\}\})");
  static const std::regex kSliceFromLeft(R"(\{\{\s*[sS]lice[fF]rom[lL]eft\s*\((.*)\)\s*\}\})");
  static const std::regex kSliceFromRight(R"(\{\{\s*[sS]lice[fF]rom[rR]ight\s*\((.*)\)\s*\}\})");
  static const std::regex kSplit(R"(\{\{\s*[sS]plit\s*\((.*)\)\s*\}\})");
  static const std::regex kLeft(R"(\{\{\s*[lL]eft\s*\((.*)\)\s*\}\})");
  static const std::regex kRight(R"(\{\{\s*[rR]ight\s*\((.*)\)\s*\}\})");

  if (auto args = FunctionArgs(kWildcard, token)) {
    if (args->size() == 1 && (*args)[0].empty()) return DestError(kNotEnoughArgs, token);
    if (args->size() > 1) return DestError(kTooManyArgs, token);
    std::optional<int> index = GoAtoi(TrimSpaces((*args)[0]));
    if (!index) return DestError(kInvalidArg, token);
    out.fn = Fn::kWildcard;
    out.src_tokens = {*index};
    return out;
  }
  if (auto args = FunctionArgs(kPartition, token)) {
    if (args->size() < 2) return DestError(kNotEnoughArgs, token);
    std::optional<int> partitions = GoAtoi(TrimSpaces((*args)[0]));
    if (!partitions) return DestError(kInvalidArg, token);
    out.fn = Fn::kPartition;
    out.int_arg = *partitions;
    for (size_t i = 1; i < args->size(); ++i) {
      std::optional<int> index = GoAtoi(TrimSpaces((*args)[i]));
      if (!index) return DestError(kInvalidArg, token);
      out.src_tokens.push_back(*index);
    }
    return out;
  }
  const std::pair<const std::regex*, Fn> index_int_fns[] = {
      {&kSplitFromLeft, Fn::kSplitFromLeft},
      {&kSplitFromRight, Fn::kSplitFromRight},
      {&kSliceFromLeft, Fn::kSliceFromLeft},
      {&kSliceFromRight, Fn::kSliceFromRight},
      {&kRight, Fn::kRight},
      {&kLeft, Fn::kLeft},
  };
  for (const auto& [re, fn] : index_int_fns) {
    if (auto args = FunctionArgs(*re, token)) return IndexIntArgs(token, *args, fn);
  }
  if (auto args = FunctionArgs(kSplit, token)) {
    if (args->size() < 2) return DestError(kNotEnoughArgs, token);
    if (args->size() > 2) return DestError(kTooManyArgs, token);
    std::optional<int> index = GoAtoi(TrimSpaces((*args)[0]));
    if (!index) return DestError(kInvalidArg, token);
    const std::string& delimiter = (*args)[1];
    if (delimiter.find(' ') != std::string::npos || delimiter.find('.') != std::string::npos) {
      return DestError(kInvalidArg, token);
    }
    out.fn = Fn::kSplit;
    out.src_tokens = {*index};
    out.string_arg = delimiter;
    return out;
  }
  return DestError(kUnknownFunction, token);
}

// nats-server's subjectInfo: valid (no empty token, nothing after `>`),
// tokens, number of `*`, whether it ends with `>`.
struct SubjectShape {
  bool valid = false;
  std::vector<std::string> tokens;
  int pwcs = 0;
  bool fwc = false;
};

SubjectShape ShapeOf(std::string_view subject) {
  SubjectShape s;
  if (subject.empty()) return s;
  s.tokens = absl::StrSplit(absl::string_view(subject.data(), subject.size()), '.');
  for (const std::string& t : s.tokens) {
    if (t.empty() || s.fwc) return SubjectShape{};
    if (t == ">") s.fwc = true;
    if (t == "*") ++s.pwcs;
  }
  s.valid = true;
  return s;
}

uint32_t Fnv1a32(std::string_view bytes) {
  uint32_t h = 2166136261u;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

absl::StatusOr<SubjectTransform> SubjectTransform::Create(std::string_view src,
                                                          std::string_view dest) {
  SubjectTransform t;
  t.src_ = src.empty() ? ">" : std::string(src);
  t.dest_ = std::string(dest);
  if (dest.empty()) return t;
  const SubjectShape s = ShapeOf(t.src_);
  const SubjectShape d = ShapeOf(t.dest_);
  if (!s.valid || !d.valid || d.pwcs > 0 || s.fwc != d.fwc) {
    return absl::InvalidArgumentError("invalid subject");
  }
  t.src_token_count_ = s.tokens.size();
  t.dest_ends_with_fwc_ = d.tokens.back() == ">";
  if (s.pwcs == 0 && !s.fwc) {
    for (const std::string& token : d.tokens) {
      absl::StatusOr<DestToken> parsed = ParseDestToken(token);
      if (!parsed.ok()) return parsed.status();
      if (parsed->fn != Fn::kNone) return DestError(kOutOfRange, token);
    }
    return t;  // No mapped tokens: the destination is used as it is.
  }
  std::map<int, int> wildcard_at;  // Wildcard number (1-based) -> source token index.
  for (size_t i = 0; i < s.tokens.size(); ++i) {
    if (s.tokens[i] == "*") wildcard_at[static_cast<int>(wildcard_at.size()) + 1] = i;
  }
  for (const std::string& token : d.tokens) {
    absl::StatusOr<DestToken> parsed = ParseDestToken(token);
    if (!parsed.ok()) return parsed.status();
    if (s.pwcs == 0 && parsed->fn != Fn::kNone) return DestError(kOutOfRange, token);
    if (parsed->fn != Fn::kNone) {
      std::vector<int> indexes;
      for (int number : parsed->src_tokens) {
        if (number > s.pwcs) {
          return DestError(kOutOfRange, absl::StrCat(token, ": [", number, "]"));
        }
        auto it = wildcard_at.find(number);
        indexes.push_back(it == wildcard_at.end() ? 0 : it->second);
      }
      parsed->src_tokens = std::move(indexes);
    }
    t.dest_tokens_.push_back(*std::move(parsed));
  }
  return t;
}

std::optional<std::string> SubjectTransform::Match(std::string_view subject) const {
  if (src_ == ">" && (dest_.empty() || dest_ == ">")) return std::string(subject);
  if (!IsValidLiteralSubject(subject)) return std::nullopt;
  if (src_ != ">" && !SubjectMatches(src_, subject)) return std::nullopt;
  if (dest_.empty()) return std::string(subject);
  std::vector<std::string_view> tokens;
  size_t start = 0;
  for (size_t i = 0; i <= subject.size(); ++i) {
    if (i == subject.size() || subject[i] == '.') {
      tokens.push_back(subject.substr(start, i - start));
      start = i + 1;
    }
  }
  return Apply(tokens);
}

std::string SubjectTransform::Apply(const std::vector<std::string_view>& tokens) const {
  if (dest_tokens_.empty()) return dest_;
  std::string b;
  const size_t last = dest_tokens_.size() - 1;
  for (size_t i = 0; i < dest_tokens_.size(); ++i) {
    const DestToken& d = dest_tokens_[i];
    if (d.fn == Fn::kNone) {
      if (d.literal == ">") break;
      b += d.literal;
    } else {
      const std::string_view token = tokens[d.src_tokens[0]];
      const int len = static_cast<int>(token.size());
      const int n = d.int_arg;
      switch (d.fn) {
        case Fn::kPartition: {
          std::string key;
          for (int index : d.src_tokens) key.append(tokens[index]);
          b += absl::StrCat(n > 0 ? Fnv1a32(key) % static_cast<uint32_t>(n) : 0);
          break;
        }
        case Fn::kWildcard:
          b.append(token);
          break;
        case Fn::kSplitFromLeft:
          if (n > 0 && n < len) {
            b.append(token.substr(0, n)).append(".").append(token.substr(n));
          } else {
            b.append(token);
          }
          break;
        case Fn::kSplitFromRight:
          if (n > 0 && n < len) {
            b.append(token.substr(0, len - n)).append(".").append(token.substr(len - n));
          } else {
            b.append(token);
          }
          break;
        case Fn::kSliceFromLeft:
          if (n > 0 && n < len) {
            for (int j = 0; j + n <= len; j += n) {
              if (j != 0) b += '.';
              b.append(token.substr(j, n));
              if (j + n != len && j + n + n > len) {
                b.append(".").append(token.substr(j + n));
                break;
              }
            }
          } else {
            b.append(token);
          }
          break;
        case Fn::kSliceFromRight:
          if (n > 0 && n < len) {
            const int remainder = len % n;
            if (remainder > 0) b.append(token.substr(0, remainder)).append(".");
            for (int j = remainder; j + n <= len; j += n) {
              b.append(token.substr(j, n));
              if (j + n < len) b += '.';
            }
          } else {
            b.append(token);
          }
          break;
        case Fn::kSplit: {
          std::vector<absl::string_view> splits =
              absl::StrSplit(absl::string_view(token.data(), token.size()), d.string_arg);
          for (size_t j = 0; j < splits.size(); ++j) {
            b.append(splits[j].data(), splits[j].size());
            if (j + 1 < splits.size() && !splits[j + 1].empty() && !(j == 0 && splits[j].empty())) {
              b += '.';
            }
          }
          break;
        }
        case Fn::kLeft:
          b.append((n > 0 && n < len) ? token.substr(0, n) : token);
          break;
        case Fn::kRight:
          b.append((n > 0 && n < len) ? token.substr(len - n) : token);
          break;
        case Fn::kNone:
          break;
      }
    }
    if (i < last) b += '.';
  }
  if (dest_ends_with_fwc_) {
    for (size_t i = src_token_count_ - 1; i < tokens.size(); ++i) {
      b.append(tokens[i]);
      if (i + 1 < tokens.size()) b += '.';
    }
  }
  return b;
}

}  // namespace jsengine::common
