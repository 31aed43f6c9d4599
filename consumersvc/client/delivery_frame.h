// Packed deliveries: the Delivery messages of a DeliveryBatch
// (proto/consumer.proto) written straight into its packed_deliveries bytes
// and read back in place, so a delivery costs an append on the consumer
// service's side and no allocation on the gateway's. Acks go the other way
// packed the same (GatewayEvent.acks).
//
// The bytes are exactly what a `repeated Delivery deliveries = 1` (or
// `repeated Ack acks = 1`) field is on the wire, so a message parsed from
// them holds the deliveries as messages (UnpackDeliveries, for tests and
// tools).
//
//   std::string packed;
//   AppendDelivery(DeliveryView::Stored(subject, reply, message), &packed);
//   ForEachDelivery(packed, [](const DeliveryView& d) { ... });
//
// Thread-safety: plain functions over caller-owned data.
#ifndef JSENGINE_CONSUMERSVC_CLIENT_DELIVERY_FRAME_H_
#define JSENGINE_CONSUMERSVC_CLIENT_DELIVERY_FRAME_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "proto/common.pb.h"
#include "proto/consumer.pb.h"

namespace jsengine::consumersvc::client {

// One Delivery's fields, viewing bytes someone else owns (see Delivery in
// proto/consumer.proto for what each means).
struct DeliveryView {
  std::string_view subject;
  std::string_view reply;
  std::string_view headers;
  bool has_message = false;
  // The message's fields, when has_message.
  std::string_view message_subject;
  uint64_t seq = 0;
  int64_t time_ns = 0;
  std::string_view message_headers;
  std::string_view data;

  // The stored message `m` to `subject` (headers_only: set `headers` and
  // clear `data` after).
  static DeliveryView Stored(std::string_view subject, std::string_view reply,
                             const v1::StoredMessage& m);
  // A message without a stored one: a status message (headers) or an ack
  // confirmation (neither).
  static DeliveryView Plain(std::string_view subject, std::string_view reply,
                            std::string_view headers);
  // An advisory: `json` as the message's data.
  static DeliveryView Advisory(std::string_view subject, std::string_view json);
};

// Appends `d` to `packed`.
void AppendDelivery(const DeliveryView& d, std::string* packed);

// Calls `fn` with each delivery in `packed`, in order; the views point into
// `packed`. False if `packed` is malformed (`fn` has seen the deliveries
// before the fault).
bool ForEachDelivery(std::string_view packed, absl::FunctionRef<void(const DeliveryView&)> fn);

// The batch's deliveries as messages; empty if malformed.
std::vector<v1::Delivery> UnpackDeliveries(const v1::DeliveryBatch& batch);

// One Ack's fields (proto/consumer.proto), viewing bytes someone else owns.
struct AckView {
  std::string_view reply_subject;
  std::string_view body;
  std::string_view reply;
};

// Appends `ack` to packed acks (GatewayEvent.acks).
void AppendAck(const AckView& ack, std::string* packed);

// Calls `fn` with each ack in `packed`, in order, as ForEachDelivery.
bool ForEachAck(std::string_view packed, absl::FunctionRef<void(const AckView&)> fn);

}  // namespace jsengine::consumersvc::client

#endif  // JSENGINE_CONSUMERSVC_CLIENT_DELIVERY_FRAME_H_
