#include "gateway/core/route_parser.h"

#include <cctype>

namespace jsengine::gateway::core {
namespace {

constexpr size_t kMaxArgs = 4096;

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Splits `line` on blanks into `args`; false when there are too many.
bool SplitArgs(std::string_view line, std::vector<std::string_view>* args) {
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !IsSpace(line[i])) ++i;
    if (i > start) {
      if (args->size() == kMaxArgs) return false;
      args->push_back(line.substr(start, i - start));
    }
  }
  return true;
}

bool ParseSize(std::string_view text, int64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  *out = n;
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// Fills `msg` from RMSG/HMSG arguments; sets the header and total sizes.
// `leaf`: the arguments have no account.
bool ParseMessageArgs(const std::vector<std::string_view>& args, bool headers, bool leaf,
                      RoutedMessage* msg, int64_t* header_size, int64_t* total_size) {
  const size_t sizes = headers ? 2 : 1;
  const size_t a = leaf ? 0 : 1;  // where the subject is
  if (args.size() < 1 + a + sizes) return false;
  if (!leaf) msg->account = args[0];
  msg->subject = args[a];
  const size_t n = args.size() - sizes;  // arguments before the sizes
  if (n == a + 2) {
    msg->reply = args[a + 1];
  } else if (n > a + 2) {
    size_t first_queue;
    if (args[a + 1] == "+") {
      msg->reply = args[a + 2];
      first_queue = a + 3;
    } else if (args[a + 1] == "|") {
      first_queue = a + 2;
    } else {
      return false;
    }
    for (size_t i = first_queue; i < n; ++i) msg->queues.push_back(args[i]);
  }
  *header_size = 0;
  if (headers && !ParseSize(args[n], header_size)) return false;
  if (!ParseSize(args.back(), total_size)) return false;
  return *header_size <= *total_size;
}

}  // namespace

RouteParseResult ParseRoute(std::string_view buffer, const RouteParserLimits& limits,
                            RouteParserHandler* handler, RouteDialect dialect) {
  const bool leaf = dialect == RouteDialect::kLeaf;
  // The interest operations: RS+/RS- on routes, LS+/LS- on leaf connections.
  const std::string_view sub_op = leaf ? "LS+" : "RS+";
  const std::string_view unsub_op = leaf ? "LS-" : "RS-";
  const std::string_view msg_op = leaf ? "LMSG" : "RMSG";
  const size_t a = leaf ? 0 : 1;  // arguments before the subject
  RouteParseResult result;
  std::vector<std::string_view> args;
  while (result.consumed < buffer.size()) {
    std::string_view rest = buffer.substr(result.consumed);
    const size_t eol = rest.find('\n');
    if (eol == std::string_view::npos) {
      if (rest.size() > limits.max_control_line) result.error = RouteParseError::kMaxControlLine;
      return result;
    }
    if (eol > limits.max_control_line) {
      result.error = RouteParseError::kMaxControlLine;
      return result;
    }
    std::string_view line = rest.substr(0, eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t op_end = 0;
    while (op_end < line.size() && !IsSpace(line[op_end])) ++op_end;
    const std::string_view op = line.substr(0, op_end);
    std::string_view tail = line.substr(op_end);
    while (!tail.empty() && IsSpace(tail.front())) tail.remove_prefix(1);
    size_t op_size = eol + 1;
    bool keep_going = true;
    args.clear();
    if (EqualsIgnoreCase(op, "PING")) {
      keep_going = handler->OnRoutePing();
    } else if (EqualsIgnoreCase(op, "PONG")) {
      keep_going = handler->OnRoutePong();
    } else if (EqualsIgnoreCase(op, "INFO")) {
      keep_going = handler->OnRouteInfo(tail);
    } else if (EqualsIgnoreCase(op, "CONNECT")) {
      keep_going = handler->OnRouteConnect(tail);
    } else if (EqualsIgnoreCase(op, "-ERR")) {
      keep_going = handler->OnRouteErr(tail);
    } else if (EqualsIgnoreCase(op, "+OK")) {
    } else if (EqualsIgnoreCase(op, sub_op) || EqualsIgnoreCase(op, unsub_op)) {
      const bool add = op[2] == '+';
      int64_t weight = 0;
      if (!SplitArgs(tail, &args) || args.size() < a + 1 || args.size() > a + (add ? 3 : 2) ||
          (add && args.size() == a + 2) ||
          (add && args.size() == a + 3 &&
           (!ParseSize(args[a + 2], &weight) || weight > (1 << 30)))) {
        result.consumed += op_size;
        result.error = RouteParseError::kBadArguments;
        return result;
      }
      const std::string_view account = leaf ? std::string_view() : args[0];
      const std::string_view queue = args.size() >= a + 2 ? args[a + 1] : std::string_view();
      keep_going = add ? handler->OnRemoteSub(account, args[a], queue, static_cast<int>(weight))
                       : handler->OnRemoteUnsub(account, args[a], queue);
    } else if (EqualsIgnoreCase(op, msg_op) || EqualsIgnoreCase(op, "HMSG")) {
      const bool headers = op[0] == 'H' || op[0] == 'h';
      RoutedMessage msg;
      int64_t header_size = 0, total_size = 0;
      if (!SplitArgs(tail, &args) ||
          !ParseMessageArgs(args, headers, leaf, &msg, &header_size, &total_size)) {
        result.consumed += op_size;
        result.error = RouteParseError::kBadArguments;
        return result;
      }
      if (total_size > limits.max_payload) {
        result.consumed += op_size;
        result.error = RouteParseError::kMaxPayload;
        return result;
      }
      const size_t need = eol + 1 + static_cast<size_t>(total_size) + 2;
      if (rest.size() < need) return result;
      std::string_view body = rest.substr(eol + 1, static_cast<size_t>(total_size));
      if (rest.substr(eol + 1 + total_size, 2) != "\r\n") {
        result.consumed += need;
        result.error = RouteParseError::kBadArguments;
        return result;
      }
      msg.has_headers = headers;
      msg.headers = body.substr(0, static_cast<size_t>(header_size));
      msg.payload = body.substr(static_cast<size_t>(header_size));
      op_size = need;
      keep_going = handler->OnRoutedMessage(msg);
    } else if (line.empty()) {
    } else {
      result.consumed += op_size;
      result.error = RouteParseError::kUnknownOp;
      return result;
    }
    result.consumed += op_size;
    if (!keep_going) {
      result.error = RouteParseError::kStopped;
      return result;
    }
  }
  return result;
}

}  // namespace jsengine::gateway::core
