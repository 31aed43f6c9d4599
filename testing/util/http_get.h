// A minimal HTTP/1.1 client for tests of the monitoring endpoints: one GET
// on a fresh loopback connection, read until the server closes it (chunked
// answers, as Go's server sends long ones, are joined).
//
//   util::HttpAnswer a = util::HttpGet(8222, "/jsz");  // a.status, a.body
//
// Thread-safe.
#ifndef JSENGINE_TESTING_UTIL_HTTP_GET_H_
#define JSENGINE_TESTING_UTIL_HTTP_GET_H_

#include <string>

namespace jsengine::testing::util {

struct HttpAnswer {
  int status = 0;  // 0: no answer
  std::string body;
};

// GET `target` (path and query) from 127.0.0.1:`port`.
HttpAnswer HttpGet(int port, const std::string& target);

}  // namespace jsengine::testing::util

#endif  // JSENGINE_TESTING_UTIL_HTTP_GET_H_
