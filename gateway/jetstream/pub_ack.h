// The reply to a JetStream publish, byte-identical to nats-server 2.9's:
//
//   {"stream":"ORDERS", "seq":5}
//   {"stream":"ORDERS", "seq":5,"duplicate": true}
//   {"stream":"ORDERS", "domain":"hub", "seq":5}          (JetStream domain set)
//   {"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 2"},"stream":"ORDERS","seq":0}
//
// (nats-server formats the success form by hand, hence the odd spaces; the
// error form is Go's json.Marshal of JSPubAckResponse.) On the publish hot
// path: string appends only, no JSON library, one allocation at most.
// Pure functions; safe from any thread.
#ifndef JSENGINE_GATEWAY_JETSTREAM_PUB_ACK_H_
#define JSENGINE_GATEWAY_JETSTREAM_PUB_ACK_H_

#include <string>
#include <string_view>

#include "proto/store.pb.h"

namespace jsengine::gateway::jetstream {

// Appends the PubAck (or, when result.has_error(), the error) to `out`.
// `domain` is the server's JetStream domain, empty for none.
void AppendPubAck(const v1::AppendResult& result, std::string_view domain, std::string* out);
void AppendPubAck(const v1::AppendResult& result, std::string* out);

std::string PubAck(const v1::AppendResult& result, std::string_view domain = {});

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_PUB_ACK_H_
