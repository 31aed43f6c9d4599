// jsm's human output, in the seed article's layout:
//
//   Messages: 72
//   Bytes:    6.8 kB
//   FirstSeq: 1
//   LastSeq:  72
//
// and lists as aligned tables whose rows start as the seed's did
// ("1) devices-events"). Numbers and sizes read as the seed's jsm printed
// them (go-humanize's Comma and Bytes). --json output does not come here.
//
// Thread-safety: stateless.
#ifndef JSENGINE_TOOLS_JSM_FORMAT_H_
#define JSENGINE_TOOLS_JSM_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "proto/common.pb.h"
#include "proto/consumer.pb.h"
#include "proto/store.pb.h"

namespace jsengine::tools::jsm {

// What the seed's jsm printed when the server accepted a change.
inline constexpr char kSeedOk[] = "Received response of \"+OK\"\n";

// 1234567 -> "1,234,567".
std::string Comma(int64_t n);

// Powers of 1000, one decimal below 10: "0 B", "180 B", "6.8 kB", "83 MB".
std::string HumanBytes(uint64_t bytes);

// Rows padded to each column's widest cell, two spaces apart, no trailing
// spaces; one line per row.
std::string AlignedTable(const std::vector<std::vector<std::string>>& rows);

// `jsm info`: the seed's four lines, then the stream's configuration.
std::string StreamInfoText(const v1::StreamInfo& info);

// `jsm info` without a name, as the seed's account info: bytes in memory
// and file streams and how many streams, against no account limits.
std::string AccountInfoText(const std::vector<v1::StreamInfo>& streams);

// `jsm list`: "1) name" per stream with its subjects, storage, messages,
// bytes and consumers; "None" when there are none.
std::string StreamListText(const std::vector<v1::StreamInfo>& streams);

// `jsm info-obs`: configuration, then delivered / ack floor / pending /
// redelivered.
std::string ConsumerInfoText(const v1::ConsumerInfo& info);

// `jsm ls-obs`: "1) name" per consumer with its state; "None" when none.
std::string ConsumerListText(const std::vector<v1::ConsumerInfo>& consumers);

// `jsm get`: subject, sequence, time, headers, then the payload.
std::string MessageText(const v1::StoredMessage& message);

// What `jsm purge` says (on stderr) before it asks: "Purging 123,456
// messages (6.8 MB) from devices-events...", or with a subject filter, whose
// bytes the store does not count, "Purging 2 messages on orders.new from
// ORDERS...".
std::string PurgeProgressText(const std::string& stream, const std::string& filter,
                              uint64_t messages, uint64_t bytes);

}  // namespace jsengine::tools::jsm

#endif  // JSENGINE_TOOLS_JSM_FORMAT_H_
