// Incremental parser for the route protocol between servers of a cluster,
// as nats-server 2.10 speaks it without route pooling:
//
//   INFO {json} / CONNECT {json} / PING / PONG / -ERR 'text' / +OK
//   RS+ <account> <subject> [<queue> <weight>]    interest added
//   RS- <account> <subject> [<queue>]             interest removed
//   RMSG <account> <subject> [<reply>] <size>     a message, or with queues:
//   RMSG <account> <subject> + <reply> <queue>... <size>
//   RMSG <account> <subject> | <queue>... <size>
//   HMSG as RMSG with <header size> before <size>
//
// and the leaf node protocol (RouteDialect::kLeaf), the same without the
// account (a leaf connection is bound to one):
//
//   LS+ <subject> [<queue> <weight>] / LS- <subject> [<queue>]
//   LMSG <subject> [<reply>] <size> (queues as RMSG's), HMSG likewise
//
// In the leaf dialect handlers get an empty account.
// Like parser.h it keeps no buffer: views point into the caller's buffer and
// are valid only during the callback. Stateless and thread-compatible.
#ifndef JSENGINE_GATEWAY_CORE_ROUTE_PARSER_H_
#define JSENGINE_GATEWAY_CORE_ROUTE_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace jsengine::gateway::core {

struct RoutedMessage {
  std::string_view account;
  std::string_view subject;
  std::string_view reply;
  // The queue groups the sender picked this server to deliver to.
  std::vector<std::string_view> queues;
  std::string_view headers;  // HMSG's header block; empty for RMSG
  std::string_view payload;
  bool has_headers = false;
};

// Receives parsed operations; each returns false to stop parsing.
class RouteParserHandler {
 public:
  virtual ~RouteParserHandler() = default;
  virtual bool OnRouteInfo(std::string_view json) = 0;
  virtual bool OnRouteConnect(std::string_view json) = 0;
  virtual bool OnRoutePing() = 0;
  virtual bool OnRoutePong() = 0;
  virtual bool OnRouteErr(std::string_view text) = 0;
  // `weight` is 0 for a plain subscription.
  virtual bool OnRemoteSub(std::string_view account, std::string_view subject,
                           std::string_view queue, int weight) = 0;
  virtual bool OnRemoteUnsub(std::string_view account, std::string_view subject,
                             std::string_view queue) = 0;
  virtual bool OnRoutedMessage(const RoutedMessage& msg) = 0;
};

enum class RouteParseError {
  kNone,
  kUnknownOp,
  kMaxControlLine,
  kMaxPayload,
  kBadArguments,
  kStopped,  // a handler returned false
};

struct RouteParserLimits {
  size_t max_control_line = 64 * 1024;
  int64_t max_payload = 64 * 1024 * 1024;
};

enum class RouteDialect { kRoute, kLeaf };

struct RouteParseResult {
  size_t consumed = 0;  // bytes of complete operations, including a failing one
  RouteParseError error = RouteParseError::kNone;
};

RouteParseResult ParseRoute(std::string_view buffer, const RouteParserLimits& limits,
                            RouteParserHandler* handler,
                            RouteDialect dialect = RouteDialect::kRoute);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_ROUTE_PARSER_H_
