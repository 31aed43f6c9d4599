// Incremental parser for the client side of the NATS text protocol.
//
// The parser holds no buffer of its own: the connection keeps unconsumed
// bytes and calls Parse() again when more arrive, so operations are parsed in
// place and views handed to the handler point into the caller's buffer (valid
// only during the callback). Any split of the stream works; pipelined
// operations are handled in one call.
//
//   ParseResult r = Parse(buffer, limits, &handler);
//   buffer.erase(0, r.consumed);
//   if (r.error != ParseError::kNone) { ... send the error, close ... }
//
// Stateless and thread-compatible.
#ifndef JSENGINE_GATEWAY_CORE_PARSER_H_
#define JSENGINE_GATEWAY_CORE_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace jsengine::gateway::core {

// A publish (PUB or HPUB). `headers` is the raw NATS/1.0 block of an HPUB,
// empty for a PUB; `has_headers` tells HPUB apart even with an empty block.
struct PubArgs {
  std::string_view subject;
  std::string_view reply;
  std::string_view headers;
  std::string_view payload;
  bool has_headers = false;
};

// Receives parsed operations. Each callback returns false to stop parsing
// (e.g. the connection is closing); the operation counts as consumed.
class ParserHandler {
 public:
  virtual ~ParserHandler() = default;
  virtual bool OnConnect(std::string_view json) = 0;
  virtual bool OnPub(const PubArgs& pub) = 0;
  virtual bool OnSub(std::string_view subject, std::string_view queue, std::string_view sid) = 0;
  // `max_msgs` is 0 when UNSUB has no maximum.
  virtual bool OnUnsub(std::string_view sid, uint64_t max_msgs) = 0;
  virtual bool OnPing() = 0;
  virtual bool OnPong() = 0;
};

enum class ParseError {
  kNone,
  kUnknownOp,        // -ERR 'Unknown Protocol Operation', close.
  kMaxControlLine,   // -ERR 'maximum control line exceeded', close.
  kMaxPayload,       // -ERR 'Maximum Payload Violation', close.
  kBadArguments,     // malformed arguments: nats-server closes without -ERR.
  kStopped,          // a handler returned false.
};

// The -ERR text nats-server sends for `error`, or empty if it sends none.
std::string_view ParseErrorText(ParseError error);

struct ParserLimits {
  size_t max_control_line = 4096;
  int64_t max_payload = 1024 * 1024;
};

struct ParseResult {
  size_t consumed = 0;  // bytes of complete operations, including a failing one
  ParseError error = ParseError::kNone;
};

ParseResult Parse(std::string_view buffer, const ParserLimits& limits, ParserHandler* handler);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_PARSER_H_
