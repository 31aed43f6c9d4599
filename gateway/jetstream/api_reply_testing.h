// Expectations on JsApiReply against nats-server's captured replies
// (testdata.h), shared by the JetStream API's tests. Test-only.
#ifndef JSENGINE_GATEWAY_JETSTREAM_API_REPLY_TESTING_H_
#define JSENGINE_GATEWAY_JETSTREAM_API_REPLY_TESTING_H_

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gateway/jetstream/api_reply.h"
#include "gateway/jetstream/testdata.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::jetstream {

// Expects `reply` to be the JSON reply nats-server gave in `golden`.
inline void ExpectGolden(const JsApiReply& reply, absl::string_view golden) {
  EXPECT_TRUE(reply.send);
  EXPECT_EQ(reply.headers, "");
  EXPECT_EQ(reply.payload, Golden(absl::StrCat(golden, ".json")));
}

// Expects `reply` to be the DIRECT.GET reply nats-server gave in `golden`.
inline void ExpectDirectGolden(const JsApiReply& reply, absl::string_view golden) {
  EXPECT_TRUE(reply.send);
  EXPECT_EQ(reply.headers, Golden(absl::StrCat(golden, ".hdr")));
  EXPECT_EQ(reply.payload, Golden(absl::StrCat(golden, ".body")));
}

inline void ExpectNoReply(const JsApiReply& reply) {
  EXPECT_FALSE(reply.send);
  EXPECT_EQ(reply.headers, "");
  EXPECT_EQ(reply.payload, "");
}

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_API_REPLY_TESTING_H_
