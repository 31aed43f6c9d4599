#include "gateway/jetstream/account_scope.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "absl/strings/ascii.h"
#include "gateway/core/account_options.h"

namespace jsengine::gateway::jetstream {
namespace {

constexpr char kSeparator = '~';
constexpr std::string_view kSubjectPrefix = "$JSA.";
// Subjects whose token after these prefixes is a stream's name.
constexpr std::string_view kStreamSubjects[] = {"$JS.ACK.", "$JS.FC."};
constexpr std::string_view kAdvisoryPrefix = "$JS.EVENT.ADVISORY.CONSUMER.";

std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

bool Plain(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

std::string Encode(std::string_view account) {
  std::string out;
  for (char c : account) {
    if (Plain(c)) {
      out += c;
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      const unsigned char u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> Decode(std::string_view encoded) {
  std::string out;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '%') {
      out += encoded[i];
      continue;
    }
    if (i + 2 >= encoded.size()) return std::nullopt;
    const int hi = Hex(encoded[i + 1]), lo = Hex(encoded[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// Where the stream token of a stream-naming subject starts, or npos.
size_t StreamTokenAt(std::string_view subject) {
  for (std::string_view prefix : kStreamSubjects) {
    if (subject.substr(0, prefix.size()) == prefix) return prefix.size();
  }
  if (subject.substr(0, kAdvisoryPrefix.size()) == kAdvisoryPrefix) {
    const size_t dot = subject.find('.', kAdvisoryPrefix.size());
    return dot == std::string_view::npos ? dot : dot + 1;
  }
  return std::string_view::npos;
}

}  // namespace

JsAccountScope::JsAccountScope(std::string account)
    : account_(account == core::kGlobalAccount ? "" : std::move(account)) {
  if (!account_.empty()) {
    const std::string encoded = Encode(account_);
    prefix_ = Cat({encoded, std::string(1, kSeparator)});
    subject_prefix_ = Cat({kSubjectPrefix, encoded, "."});
  }
}

std::string JsAccountScope::Stream(std::string_view name) const { return Cat({prefix_, name}); }

std::optional<std::string> JsAccountScope::UserStream(std::string_view stream) const {
  if (prefix_.empty()) return std::string(stream);
  if (stream.substr(0, prefix_.size()) != prefix_) return std::nullopt;
  return std::string(stream.substr(prefix_.size()));
}

std::string JsAccountScope::Subject(std::string_view subject) const {
  return Cat({subject_prefix_, subject});
}

std::optional<std::string> JsAccountScope::UserSubject(std::string_view subject) const {
  if (subject_prefix_.empty()) return std::string(subject);
  if (subject.substr(0, subject_prefix_.size()) != subject_prefix_) return std::nullopt;
  return std::string(subject.substr(subject_prefix_.size()));
}

std::string JsAccountScope::StreamSubject(std::string_view subject) const {
  const size_t at = StreamTokenAt(subject);
  if (prefix_.empty() || at == std::string_view::npos) return std::string(subject);
  return Cat({subject.substr(0, at), prefix_, subject.substr(at)});
}

JsAccountScope::Located JsAccountScope::LocateStream(std::string_view stream) {
  const size_t sep = stream.find(kSeparator);
  if (sep == std::string_view::npos) return {"", std::string(stream)};
  std::optional<std::string> account = Decode(stream.substr(0, sep));
  if (!account.has_value() || account->empty() || Encode(*account) != stream.substr(0, sep)) {
    return {"", std::string(stream)};
  }
  return {*std::move(account), std::string(stream.substr(sep + 1))};
}

JsAccountScope::Located JsAccountScope::Locate(std::string_view subject) {
  if (subject.substr(0, kSubjectPrefix.size()) == kSubjectPrefix) {
    const size_t dot = subject.find('.', kSubjectPrefix.size());
    if (dot != std::string_view::npos) {
      std::string_view encoded = subject.substr(kSubjectPrefix.size(), dot - kSubjectPrefix.size());
      std::optional<std::string> account = Decode(encoded);
      if (account.has_value() && !account->empty() && Encode(*account) == encoded) {
        return {*std::move(account), std::string(subject.substr(dot + 1))};
      }
    }
    return {"", std::string(subject)};
  }
  const size_t at = StreamTokenAt(subject);
  if (at == std::string_view::npos) return {"", std::string(subject)};
  const size_t end = std::min(subject.find('.', at), subject.size());
  Located stream = LocateStream(subject.substr(at, end - at));
  if (stream.account.empty()) return {"", std::string(subject)};
  return {std::move(stream.account),
          Cat({subject.substr(0, at), stream.subject, subject.substr(end)})};
}

}  // namespace jsengine::gateway::jetstream
