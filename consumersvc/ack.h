// JetStream acks on the wire, read and written as nats-server does: the reply
// subject every delivered message carries, and the bodies clients publish to
// it ("+ACK", "-NAK", ...).
//
// AppendAckSubject writes what nats-server 2.9/2.10 writes (consumer.go
// ackReply):
//
//   $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp ns>.<pending>
//
// ParseAckSubject also reads the form nats.go reads (js.go getMetadataFields)
// and nats-server writes since 2.14 when asked to (ackReplyInfo): 11 or more
// tokens, tokens past the 11th ignored, "_" for no domain:
//
//   $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<stream seq>
//       .<consumer seq>.<timestamp ns>.<pending>[.<token>...]
//
//   AppendAckSubject(delivery, &reply);  // delivery: an AckSubject.
//   JSE_ASSIGN_OR_RETURN(AckSubject ack, ParseAckSubject(subject));
//   AckBody body = ParseAckBody(payload);
//
// Both parsers take untrusted input, of any bytes and length.
// Thread-safe: pure functions; parsed results point into the caller's buffer.
#ifndef JSENGINE_CONSUMERSVC_ACK_H_
#define JSENGINE_CONSUMERSVC_ACK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace jsengine::consumersvc {

inline constexpr std::string_view kAckSubjectPrefix = "$JS.ACK.";

// What an ack subject says about the delivery it acknowledges.
struct AckSubject {
  std::string_view stream;
  std::string_view consumer;
  uint64_t delivered = 0;  // How many times this message has been delivered.
  uint64_t stream_seq = 0;
  uint64_t consumer_seq = 0;
  int64_t timestamp = 0;  // The message's, in Unix nanoseconds.
  uint64_t pending = 0;   // Messages left for the consumer after this one.
  // Only in the 11-token form: nats-server subscribes to its own, so acks
  // naming another domain or account never reach its consumer.
  std::string_view domain;  // "_" reads as empty, as nats.go reads it.
  std::string_view account_hash;
};

// Appends the 9-token subject for `ack` to `*out` (domain and account_hash
// are not written), growing it at most once. Stream and consumer names are
// written as they are; a negative timestamp is written as nats-server's %d
// writes it, and does not parse back.
void AppendAckSubject(const AckSubject& ack, std::string* out);

// Reads a $JS.ACK subject of 9 tokens, or of 11 or more. InvalidArgument for
// any other token count, an empty token, first tokens other than "$JS.ACK",
// and numbers with anything but ASCII digits or beyond uint64 (int64 for the
// timestamp). For most of these nats-server acks nothing either (ackReplyInfo
// gives sequence 0, or 2^64-1 for a bad number); it differs in wrapping
// numbers beyond 2^64 around and, for an ack, in not reading the timestamp
// and pending tokens at all.
absl::StatusOr<AckSubject> ParseAckSubject(std::string_view subject);

// The stream an ack subject names, read as ParseAckSubject reads it but
// without its numbers (which it does not check); empty when the subject has
// neither form's shape.
std::string_view AckSubjectStream(std::string_view subject);

// What an ack body asks for, as consumer.go processAck (nats-server 2.10)
// decides: exact matches for +ACK, +OK and +WPI, prefixes for the others, so
// "+ACK " is kUnknown while "-NAKED" is a NAK and "+TERMINATE" a TERM with
// reason "INATE".
enum class AckKind {
  kAck,       // Empty, "+ACK", or the deprecated "+OK".
  kNak,       // "-NAK...": redeliver.
  kProgress,  // "+WPI": still working, restart the ack wait.
  kNext,      // "+NXT...": ack, then a pull request replying to the ack's reply.
  kTerm,      // "+TERM...": never redeliver.
  // Anything else: nats-server changes nothing but still sends the empty
  // confirmation to a reply subject.
  kUnknown,
};

struct AckBody {
  AckKind kind = AckKind::kAck;
  // kNak: the delay before redelivery the client asked for, from
  // `-NAK {"delay":<ns>}` (Go's json.Unmarshal of ConsumerNakOptions) or
  // `-NAK <Go duration>` such as "-NAK 5s"; may be zero or negative.
  // nats-server then redelivers that long after now instead of at once.
  std::optional<int64_t> nak_delay;
  // kNak: what followed "-NAK", trimmed, when that is not a delay
  // nats-server reads; it logs it as a "bad NAK delay value" and NAKs plainly.
  std::string_view bad_nak_delay;
  // kTerm: what followed "+TERM", trimmed (bytes.TrimSpace); may be empty.
  std::string_view term_reason;
  // kNext: what followed "+NXT", untrimmed: a pull request as
  // $JS.API.CONSUMER.MSG.NEXT takes one (nextReqFromMsg): empty for one
  // message, a batch size, or JSApiConsumerGetNextRequest JSON.
  std::string_view next_request;
};

// Reads the body of a message to an ack subject, without its headers (as
// processAck skips them). Every body is some AckKind.
AckBody ParseAckBody(std::string_view body);

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_ACK_H_
