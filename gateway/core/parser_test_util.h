// Test helpers for the protocol parser: a handler that records operations as
// text and a driver that feeds a stream in chunks, as a connection does.
#ifndef JSENGINE_GATEWAY_CORE_PARSER_TEST_UTIL_H_
#define JSENGINE_GATEWAY_CORE_PARSER_TEST_UTIL_H_

#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/parser.h"

namespace jsengine::gateway::core {

// Records each operation as one line of text. Not thread-safe.
class RecordingHandler : public ParserHandler {
 public:
  bool OnConnect(std::string_view json) override {
    return Add("CONNECT " + std::string(json));
  }
  bool OnPub(const PubArgs& p) override {
    return Add(std::string(p.has_headers ? "HPUB " : "PUB ") + std::string(p.subject) + " [" +
               std::string(p.reply) + "] [" + std::string(p.headers) + "] [" +
               std::string(p.payload) + "]");
  }
  bool OnSub(std::string_view subject, std::string_view queue, std::string_view sid) override {
    return Add("SUB " + std::string(subject) + " [" + std::string(queue) + "] " +
               std::string(sid));
  }
  bool OnUnsub(std::string_view sid, uint64_t max) override {
    return Add("UNSUB " + std::string(sid) + " " + std::to_string(max));
  }
  bool OnPing() override { return Add("PING"); }
  bool OnPong() override { return Add("PONG"); }

  std::vector<std::string> ops;
  int stop_after = -1;  // return false from the n-th operation (1-based)

 private:
  bool Add(std::string op) {
    ops.push_back(std::move(op));
    return stop_after < 0 || static_cast<int>(ops.size()) < stop_after;
  }
};

// Feeds `chunks` one after another through a growing buffer, as a
// connection's read loop does. Returns the first error (kNone if none).
inline ParseError FeedChunks(const std::vector<std::string_view>& chunks,
                             const ParserLimits& limits, ParserHandler* handler) {
  std::string buffer;
  for (std::string_view chunk : chunks) {
    buffer.append(chunk.data(), chunk.size());
    ParseResult r = Parse(buffer, limits, handler);
    buffer.erase(0, r.consumed);
    if (r.error != ParseError::kNone) return r.error;
  }
  return ParseError::kNone;
}

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_PARSER_TEST_UTIL_H_
