#include "tools/jsm/values.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/go_text.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace jsengine::tools::jsm {
namespace {

absl::Status Invalid(absl::string_view what, absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat("invalid ", what, " \"", text, "\""));
}

bool IsUnlimited(absl::string_view text) {
  return text == "-1" || absl::EqualsIgnoreCase(text, "unlimited");
}

// Splits at commas when there are any, else at tabs and spaces.
std::vector<std::string> SplitList(absl::string_view text) {
  std::vector<std::string> parts;
  if (absl::StrContains(text, ',')) {
    for (absl::string_view part : absl::StrSplit(text, ','))
      parts.emplace_back(absl::StripAsciiWhitespace(part));
  } else {
    for (absl::string_view part : absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty()))
      parts.emplace_back(part);
  }
  return parts;
}

// A proto enum value's name as users read it: ACK_EXPLICIT is "explicit",
// RETENTION_WORK_QUEUE "work queue".
template <typename Enum>
std::string EnumWords(Enum value) {
  const google::protobuf::EnumValueDescriptor* descriptor =
      google::protobuf::GetEnumDescriptor<Enum>()->FindValueByNumber(value);
  if (descriptor == nullptr) return absl::StrCat(static_cast<int>(value));
  absl::string_view name = descriptor->name();
  name.remove_prefix(name.find('_') + 1);
  return absl::StrReplaceAll(absl::AsciiStrToLower(name), {{"_", " "}});
}

// Lower case without spaces, dashes and underscores: "work queue", "WorkQueue"
// and "work_queue" are the same.
std::string Squeezed(absl::string_view text) {
  std::string squeezed;
  for (char c : text) {
    if (c != ' ' && c != '-' && c != '_') squeezed.push_back(absl::ascii_tolower(c));
  }
  return squeezed;
}

// The value of Enum whose words are `text` or, unless it is empty, start
// with it; "" is the value numbered 0.
template <typename Enum>
absl::StatusOr<Enum> ParseChoice(absl::string_view what, absl::string_view text) {
  const std::string typed = Squeezed(text);
  if (typed.empty()) return static_cast<Enum>(0);
  const google::protobuf::EnumDescriptor* descriptor = google::protobuf::GetEnumDescriptor<Enum>();
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const Enum value = static_cast<Enum>(descriptor->value(i)->number());
    if (absl::StartsWith(Squeezed(EnumWords(value)), typed)) return value;
  }
  return Invalid(what, text);
}

}  // namespace

absl::StatusOr<int64_t> ParseCount(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (IsUnlimited(text)) return -1;
  int64_t count = 0;
  if (!absl::SimpleAtoi(text, &count) || count < 0) return Invalid("message count", text);
  return count;
}

absl::StatusOr<int64_t> ParseSize(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (IsUnlimited(text)) return -1;
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  int64_t number = 0;
  if (digits == 0 || !absl::SimpleAtoi(text.substr(0, digits), &number)) {
    return Invalid("size", text);
  }
  const std::string unit = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text.substr(digits)));
  static const std::pair<const char*, int64_t> kUnits[] = {
      {"", 1},
      {"b", 1},
      {"k", 1000},
      {"kb", 1000},
      {"kib", int64_t{1} << 10},
      {"m", 1000 * 1000},
      {"mb", 1000 * 1000},
      {"mib", int64_t{1} << 20},
      {"g", int64_t{1000} * 1000 * 1000},
      {"gb", int64_t{1000} * 1000 * 1000},
      {"gib", int64_t{1} << 30},
      {"t", int64_t{1000} * 1000 * 1000 * 1000},
      {"tb", int64_t{1000} * 1000 * 1000 * 1000},
      {"tib", int64_t{1} << 40},
  };
  for (const auto& [name, multiplier] : kUnits) {
    if (unit != name) continue;
    if (number > INT64_MAX / multiplier) return Invalid("size", text);
    return number * multiplier;
  }
  return Invalid("size", text);
}

absl::StatusOr<absl::Duration> ParseAge(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty() || text == "0" || absl::EqualsIgnoreCase(text, "unlimited")) {
    return absl::ZeroDuration();
  }
  const char unit = text.back();
  int64_t count = 0;
  if ((unit == 'd' || unit == 'D' || unit == 'M' || unit == 'y' || unit == 'Y') &&
      absl::SimpleAtoi(text.substr(0, text.size() - 1), &count) && count >= 0) {
    const int64_t days = unit == 'M' ? 30 : (unit == 'y' || unit == 'Y') ? 365 : 1;
    return absl::Hours(24 * days * count);
  }
  absl::StatusOr<int64_t> ns = common::ParseGoDuration(std::string_view(text.data(), text.size()));
  if (!ns.ok() || *ns < 0) return Invalid("age", text);
  return absl::Nanoseconds(*ns);
}

absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  double seconds = 0;
  absl::Duration timeout;
  if (absl::SimpleAtod(text, &seconds)) {
    timeout = absl::Seconds(seconds);
  } else if (absl::StatusOr<int64_t> ns =
                 common::ParseGoDuration(std::string_view(text.data(), text.size()));
             ns.ok()) {
    timeout = absl::Nanoseconds(*ns);
  } else {
    return Invalid("timeout", text);
  }
  if (timeout <= absl::ZeroDuration()) return Invalid("timeout", text);
  return timeout;
}

std::vector<std::string> ParseSubjects(absl::string_view text) {
  std::vector<std::string> subjects = SplitList(text);
  subjects.erase(std::remove(subjects.begin(), subjects.end(), ""), subjects.end());
  return subjects;
}

absl::StatusOr<Limits> ParseLimits(absl::string_view text) {
  const std::vector<std::string> parts = SplitList(absl::StripAsciiWhitespace(text));
  if (parts.size() > 3) return Invalid("limits (msgs, bytes, age)", text);
  Limits limits;
  if (parts.size() > 0 && !parts[0].empty()) {
    absl::StatusOr<int64_t> msgs = ParseCount(parts[0]);
    if (!msgs.ok()) return msgs.status();
    limits.max_msgs = *msgs;
  }
  if (parts.size() > 1 && !parts[1].empty()) {
    absl::StatusOr<int64_t> bytes = ParseSize(parts[1]);
    if (!bytes.ok()) return bytes.status();
    limits.max_bytes = *bytes;
  }
  if (parts.size() > 2) {
    absl::StatusOr<absl::Duration> age = ParseAge(parts[2]);
    if (!age.ok()) return age.status();
    limits.max_age = *age;
  }
  return limits;
}

absl::StatusOr<v1::StorageType> ParseStorage(absl::string_view text) {
  return ParseChoice<v1::StorageType>("storage (file|memory)", text);
}

absl::StatusOr<v1::RetentionPolicy> ParseRetention(absl::string_view text) {
  return ParseChoice<v1::RetentionPolicy>("retention (limits|interest|workqueue)", text);
}

absl::StatusOr<v1::AckPolicy> ParseAckPolicy(absl::string_view text) {
  return ParseChoice<v1::AckPolicy>("ack policy (none|all|explicit)", text);
}

absl::StatusOr<v1::ReplayPolicy> ParseReplayPolicy(absl::string_view text) {
  return ParseChoice<v1::ReplayPolicy>("replay policy (instant|original)", text);
}

absl::StatusOr<bool> ParseYesNo(absl::string_view text, bool default_answer) {
  const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (lower.empty()) return default_answer;
  if (lower == "y" || lower == "yes" || lower == "true" || lower == "1") return true;
  if (lower == "n" || lower == "no" || lower == "false" || lower == "0") return false;
  return Invalid("answer (y|n)", text);
}

std::string StorageName(v1::StorageType storage) { return EnumWords(storage); }
std::string RetentionName(v1::RetentionPolicy retention) { return EnumWords(retention); }
std::string AckPolicyName(v1::AckPolicy ack) { return EnumWords(ack); }
std::string ReplayPolicyName(v1::ReplayPolicy replay) { return EnumWords(replay); }
std::string DeliverPolicyName(v1::DeliverPolicy deliver) { return EnumWords(deliver); }

}  // namespace jsengine::tools::jsm
