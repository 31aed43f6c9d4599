#include "tools/jsm/format.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/go_text.h"
#include "tools/jsm/values.h"

namespace jsengine::tools::jsm {
namespace {

// "label:" padded so that values start in one column.
std::string Field(absl::string_view label, int width, absl::string_view value) {
  return absl::StrFormat("%-*s %s\n", width, absl::StrCat(label, ":"), value);
}

// "3 messages (1.2 kB), sequences 7 to 9".
std::string LostText(const v1::LostStreamData& lost) {
  std::string out =
      absl::StrCat(Comma(lost.msgs_size()), " messages (", HumanBytes(lost.bytes()), ")");
  if (lost.msgs_size() > 0) {
    absl::StrAppend(&out, ", sequences ", lost.msgs(0), " to ", lost.msgs(lost.msgs_size() - 1));
  }
  return out;
}

std::string CountOrUnlimited(int64_t n) { return n < 0 ? "unlimited" : Comma(n); }

std::string BytesOrUnlimited(int64_t n) {
  return n < 0 ? "unlimited" : HumanBytes(static_cast<uint64_t>(n));
}

std::string AgeOrUnlimited(int64_t ns) {
  return ns <= 0 ? "unlimited" : common::FormatGoDuration(ns);
}

std::string Subjects(const v1::StreamConfig& config) {
  return absl::StrJoin(config.subjects(), ", ");
}

std::string SequencePair(const v1::SequenceInfo& seqs) {
  return absl::StrCat("ObsSeq ", seqs.consumer_seq(), ", SetSeq ", seqs.stream_seq());
}

std::string Delivery(const v1::ConsumerConfig& config) {
  return config.deliver_subject().empty() ? "pull" : "push to " + config.deliver_subject();
}

std::string Numbered(size_t index, const std::string& name) {
  return absl::StrCat(index + 1, ") ", name);
}

}  // namespace

std::string Comma(int64_t n) {
  const std::string digits = absl::StrCat(n < 0 ? -static_cast<uint64_t>(n) : n);
  std::string out = n < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string HumanBytes(uint64_t bytes) {
  if (bytes < 10) return absl::StrCat(bytes, " B");
  static const char* const kSizes[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  const double size = static_cast<double>(bytes);
  const int exponent = static_cast<int>(std::floor(std::log(size) / std::log(1000.0)));
  const double value = std::floor(size / std::pow(1000.0, exponent) * 10 + 0.5) / 10;
  if (value < 10) return absl::StrFormat("%.1f %s", value, kSizes[exponent]);
  return absl::StrFormat("%.0f %s", value, kSizes[exponent]);
}

std::string AlignedTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size());
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line.append(2, ' ');
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size(), ' ');
    }
    out += std::string(absl::StripTrailingAsciiWhitespace(line)) + "\n";
  }
  return out;
}

namespace {

// "O (filter o.>), lag 0, active 12ms" for a mirror or source.
std::string SourceText(const v1::StreamSourceInfo& source) {
  std::string text = source.name();
  if (!source.filter_subject().empty())
    absl::StrAppend(&text, " (filter ", source.filter_subject(), ")");
  absl::StrAppend(&text, ", lag ", Comma(static_cast<int64_t>(source.lag())), ", active ",
                  source.active_ns() < 0
                      ? std::string("never")
                      : absl::FormatDuration(absl::Milliseconds(source.active_ns() / 1000000)));
  if (source.has_error()) absl::StrAppend(&text, ", error: ", source.error().description());
  return text;
}

// One "Source:" line per source.
std::string SourcesText(const v1::StreamInfo& info, int width) {
  std::string text;
  for (const v1::StreamSourceInfo& source : info.sources()) {
    absl::StrAppend(&text, Field("Source", width, SourceText(source)));
  }
  return text;
}

}  // namespace

std::string StreamInfoText(const v1::StreamInfo& info) {
  const v1::StreamState& state = info.state();
  const v1::StreamConfig& config = info.config();
  constexpr int kSeedWidth = 9;     // "FirstSeq:"
  constexpr int kConfigWidth = 10;  // "Retention:"
  return absl::StrCat(
      "\n", Field("Messages", kSeedWidth, Comma(static_cast<int64_t>(state.messages()))),
      Field("Bytes", kSeedWidth, HumanBytes(state.bytes())),
      Field("FirstSeq", kSeedWidth, Comma(static_cast<int64_t>(state.first_seq()))),
      Field("LastSeq", kSeedWidth, Comma(static_cast<int64_t>(state.last_seq()))),
      state.has_lost() ? Field("Lost", kSeedWidth, LostText(state.lost())) : "", "\n",
      Field("Name", kConfigWidth, config.name()), Field("Subjects", kConfigWidth, Subjects(config)),
      Field("Storage", kConfigWidth, StorageName(config.storage())),
      Field("Retention", kConfigWidth, RetentionName(config.retention())),
      Field("MaxMsgs", kConfigWidth, CountOrUnlimited(config.max_msgs())),
      Field("MaxBytes", kConfigWidth, BytesOrUnlimited(config.max_bytes())),
      Field("MaxAge", kConfigWidth, AgeOrUnlimited(config.max_age_ns())),
      Field("Consumers", kConfigWidth, absl::StrCat(state.consumer_count())),
      info.has_mirror() ? Field("Mirror", kConfigWidth, SourceText(info.mirror())) : "",
      SourcesText(info, kConfigWidth), "\n");
}

std::string AccountInfoText(const std::vector<v1::StreamInfo>& streams) {
  uint64_t memory = 0, storage = 0;
  for (const v1::StreamInfo& info : streams) {
    (info.config().storage() == v1::STORAGE_MEMORY ? memory : storage) += info.state().bytes();
  }
  constexpr int kWidth = 8;  // "Storage:"
  return absl::StrCat("\n", Field("Memory", kWidth, HumanBytes(memory) + " of unlimited"),
                      Field("Storage", kWidth, HumanBytes(storage) + " of unlimited"),
                      Field("MsgSets", kWidth, absl::StrCat(streams.size(), " of unlimited")),
                      "\n");
}

std::string StreamListText(const std::vector<v1::StreamInfo>& streams) {
  if (streams.empty()) return "\nNone\n\n";
  std::vector<std::vector<std::string>> rows = {
      {"", "Subjects", "Storage", "Messages", "Bytes", "Consumers"}};
  for (size_t i = 0; i < streams.size(); ++i) {
    const v1::StreamInfo& info = streams[i];
    rows.push_back({Numbered(i, info.config().name()), Subjects(info.config()),
                    StorageName(info.config().storage()),
                    Comma(static_cast<int64_t>(info.state().messages())),
                    HumanBytes(info.state().bytes()), absl::StrCat(info.state().consumer_count())});
  }
  return absl::StrCat("\n", AlignedTable(rows), "\n");
}

std::string ConsumerInfoText(const v1::ConsumerInfo& info) {
  const v1::ConsumerConfig& config = info.config();
  constexpr int kWidth = 14;  // "DeliverPolicy:"
  std::string out =
      absl::StrCat("\n", Field("Stream", kWidth, info.stream_name()),
                   Field("Name", kWidth, info.name()), Field("Delivery", kWidth, Delivery(config)),
                   Field("DeliverPolicy", kWidth, DeliverPolicyName(config.deliver_policy())),
                   Field("AckPolicy", kWidth, AckPolicyName(config.ack_policy())),
                   Field("ReplayPolicy", kWidth, ReplayPolicyName(config.replay_policy())));
  if (!config.filter_subject().empty()) {
    absl::StrAppend(&out, Field("Filter", kWidth, config.filter_subject()));
  }
  absl::StrAppend(&out, "\n", Field("Delivered", kWidth, SequencePair(info.delivered())),
                  Field("AckFloor", kWidth, SequencePair(info.ack_floor())),
                  Field("Pending", kWidth, Comma(info.num_ack_pending())),
                  Field("Redelivered", kWidth, Comma(info.num_redelivered())),
                  Field("Unprocessed", kWidth, Comma(static_cast<int64_t>(info.num_pending()))),
                  "\n");
  return out;
}

std::string ConsumerListText(const std::vector<v1::ConsumerInfo>& consumers) {
  if (consumers.empty()) return "\nNone\n\n";
  std::vector<std::vector<std::string>> rows = {
      {"", "Delivery", "Ack", "Delivered", "AckFloor", "Pending", "Redelivered", "Unprocessed"}};
  for (size_t i = 0; i < consumers.size(); ++i) {
    const v1::ConsumerInfo& info = consumers[i];
    rows.push_back({Numbered(i, info.name()), Delivery(info.config()),
                    AckPolicyName(info.config().ack_policy()),
                    Comma(static_cast<int64_t>(info.delivered().stream_seq())),
                    Comma(static_cast<int64_t>(info.ack_floor().stream_seq())),
                    Comma(info.num_ack_pending()), Comma(info.num_redelivered()),
                    Comma(static_cast<int64_t>(info.num_pending()))});
  }
  return absl::StrCat("\n", AlignedTable(rows), "\n");
}

std::string MessageText(const v1::StoredMessage& message) {
  constexpr int kWidth = 9;  // "Sequence:"
  std::string out = absl::StrCat(
      Field("Subject", kWidth, message.subject()),
      Field("Sequence", kWidth, absl::StrCat(message.seq())),
      Field("Time", kWidth,
            absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", absl::FromUnixNanos(message.time_ns()),
                             absl::UTCTimeZone())));
  if (!message.headers().empty()) {
    absl::StrAppend(&out, "Headers:\n");
    for (absl::string_view line : absl::StrSplit(message.headers(), "\r\n", absl::SkipEmpty())) {
      absl::StrAppend(&out, "  ", line, "\n");
    }
  }
  absl::StrAppend(&out, "\n", message.data(), "\n");
  return out;
}

std::string PurgeProgressText(const std::string& stream, const std::string& filter,
                              uint64_t messages, uint64_t bytes) {
  const std::string count = absl::StrCat("Purging ", Comma(static_cast<int64_t>(messages)),
                                         messages == 1 ? " message" : " messages");
  if (!filter.empty()) return absl::StrCat(count, " on ", filter, " from ", stream, "...\n");
  return absl::StrCat(count, " (", HumanBytes(bytes), ") from ", stream, "...\n");
}

}  // namespace jsengine::tools::jsm
