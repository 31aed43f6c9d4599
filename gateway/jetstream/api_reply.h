// Replies of the JetStream API, shared by its resource handlers (account,
// streams, later consumers): the reply itself, and the pieces of JSON every
// endpoint writes alike, as nats-server 2.9 writes them.
//
//   std::string out;
//   common::GoJsonWriter w(&out);
//   BeginReply(JsApiEndpoint::kStreamNames, &w);   // {"type":"io.nats...",
//   WritePaging(total, offset, limit, &w);
//   ...
//   w.EndObject();
//   return JsonReply(std::move(out));
//
// Pure functions; safe from any thread.
#ifndef JSENGINE_GATEWAY_JETSTREAM_API_REPLY_H_
#define JSENGINE_GATEWAY_JETSTREAM_API_REPLY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/go_json_writer.h"
#include "gateway/jetstream/api_subject.h"

namespace jsengine::gateway::jetstream {

// A message the API publishes besides its reply, e.g. nats-server's stream
// action advisories.
struct JsApiEvent {
  std::string subject;
  std::string payload;
};

struct JsApiReply {
  // How the reply counts in $JS.API.INFO's "api" statistics.
  enum class Stat { kNotCounted, kOk, kError };

  std::string headers;  // A NATS/1.0 header block, or empty.
  std::string payload;
  bool send = false;  // False: nats-server would not reply at all.
  Stat stat = Stat::kNotCounted;
  // Published (without a reply subject) before the reply, as nats-server
  // sends its advisories before answering.
  std::vector<JsApiEvent> events;
};

// A JSON reply, counted as a request served.
JsApiReply JsonReply(std::string payload);

// nats-server's error reply for `endpoint`: its type, the ApiError of
// `status` (not OK), and the fields its response struct has without
// omitempty (e.g. "total":0,... and "streams":null for STREAM.NAMES).
// Counted as an error.
JsApiReply ErrorReply(JsApiEndpoint endpoint, const absl::Status& status);

// {"type":"<endpoint's type>","success":true}
JsApiReply SuccessReply(JsApiEndpoint endpoint);

// Opens the reply object with its "type".
void BeginReply(JsApiEndpoint endpoint, common::GoJsonWriter* w);

// The "total", "offset" and "limit" of paged replies.
void WritePaging(int total, int offset, int limit, common::GoJsonWriter* w);

// WritePaging for the NAMES and LIST endpoints, whose "offset" nats-server
// caps at the total.
void WriteListPaging(int total, int offset, int limit, common::GoJsonWriter* w);

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_API_REPLY_H_
