#include "gateway/core/parser.h"

#include <cstring>

namespace jsengine::gateway::core {
namespace {

constexpr int kMaxArgs = 5;

inline bool IsSpace(char c) { return c == ' ' || c == '\t'; }

inline char Upper(char c) { return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c; }

bool VerbIs(std::string_view verb, std::string_view upper) {
  if (verb.size() != upper.size()) return false;
  for (size_t i = 0; i < verb.size(); ++i) {
    if (Upper(verb[i]) != upper[i]) return false;
  }
  return true;
}

// Splits `args` on spaces and tabs. Returns the count, or -1 if over `max`.
int SplitArgs(std::string_view args, std::string_view* out, int max) {
  int n = 0;
  size_t i = 0;
  while (i < args.size()) {
    while (i < args.size() && IsSpace(args[i])) ++i;
    if (i == args.size()) break;
    size_t start = i;
    while (i < args.size() && !IsSpace(args[i])) ++i;
    if (n == max) return -1;
    out[n++] = args.substr(start, i - start);
  }
  return n;
}

// Parses a non-negative decimal; -1 if empty, not all digits or too large.
int64_t ParseSize(std::string_view s) {
  if (s.empty() || s.size() > 18) return -1;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

enum class Op { kUnknown, kPub, kHpub, kSub, kUnsub, kConnect, kPing, kPong, kOk, kErr };

Op ClassifyVerb(std::string_view verb) {
  switch (verb.size()) {
    case 3:
      if (VerbIs(verb, "PUB")) return Op::kPub;
      if (VerbIs(verb, "SUB")) return Op::kSub;
      if (VerbIs(verb, "+OK")) return Op::kOk;
      break;
    case 4:
      if (VerbIs(verb, "HPUB")) return Op::kHpub;
      if (VerbIs(verb, "PING")) return Op::kPing;
      if (VerbIs(verb, "PONG")) return Op::kPong;
      if (VerbIs(verb, "-ERR")) return Op::kErr;
      break;
    case 5:
      if (VerbIs(verb, "UNSUB")) return Op::kUnsub;
      break;
    case 7:
      if (VerbIs(verb, "CONNECT")) return Op::kConnect;
      break;
  }
  return Op::kUnknown;
}

bool NeedsArguments(Op op) {
  return op == Op::kPub || op == Op::kHpub || op == Op::kSub || op == Op::kUnsub ||
         op == Op::kConnect;
}

}  // namespace

std::string_view ParseErrorText(ParseError error) {
  switch (error) {
    case ParseError::kUnknownOp:
      return "Unknown Protocol Operation";
    case ParseError::kMaxControlLine:
      return "maximum control line exceeded";
    case ParseError::kMaxPayload:
      return "Maximum Payload Violation";
    default:
      return {};
  }
}

ParseResult Parse(std::string_view buf, const ParserLimits& limits, ParserHandler* handler) {
  ParseResult result;
  size_t pos = 0;
  const char* data = buf.data();
  const size_t size = buf.size();
  while (pos < size) {
    const size_t avail = size - pos;
    // A verb is known once a separator arrives; reject garbage early.
    size_t verb_end = pos;
    while (verb_end < size && verb_end - pos < 8 && !IsSpace(data[verb_end]) &&
           data[verb_end] != '\r' && data[verb_end] != '\n') {
      ++verb_end;
    }
    if (verb_end == size && verb_end - pos < 8) break;
    const Op op = ClassifyVerb(std::string_view(data + pos, verb_end - pos));
    if (op == Op::kUnknown) {
      result.error = ParseError::kUnknownOp;
      return result;
    }
    if (NeedsArguments(op) && !IsSpace(data[verb_end])) {
      result.error = ParseError::kUnknownOp;
      return result;
    }
    const void* nl = std::memchr(data + verb_end, '\n', size - verb_end);
    if (nl == nullptr) {
      if (avail > limits.max_control_line) result.error = ParseError::kMaxControlLine;
      break;
    }
    const size_t line_end = static_cast<const char*>(nl) - data;
    if (line_end - pos > limits.max_control_line) {
      result.error = ParseError::kMaxControlLine;
      return result;
    }
    size_t args_end = line_end;
    if (args_end > verb_end && data[args_end - 1] == '\r') --args_end;
    std::string_view args(data + verb_end, args_end - verb_end);
    std::string_view a[kMaxArgs];
    bool keep_going = true;
    size_t next = line_end + 1;
    switch (op) {
      case Op::kPing:
        keep_going = handler->OnPing();
        break;
      case Op::kPong:
        keep_going = handler->OnPong();
        break;
      case Op::kOk:
      case Op::kErr:
        break;
      case Op::kConnect: {
        size_t i = 0;
        while (i < args.size() && IsSpace(args[i])) ++i;
        keep_going = handler->OnConnect(args.substr(i));
        break;
      }
      case Op::kSub: {
        const int n = SplitArgs(args, a, 3);
        if (n != 2 && n != 3) {
          result.error = ParseError::kBadArguments;
          return result;
        }
        keep_going = n == 2 ? handler->OnSub(a[0], {}, a[1]) : handler->OnSub(a[0], a[1], a[2]);
        break;
      }
      case Op::kUnsub: {
        const int n = SplitArgs(args, a, 2);
        int64_t max = 0;
        if (n == 2) max = ParseSize(a[1]);
        if (n < 1 || max < 0) {
          result.error = ParseError::kBadArguments;
          return result;
        }
        keep_going = handler->OnUnsub(a[0], static_cast<uint64_t>(max));
        break;
      }
      case Op::kPub:
      case Op::kHpub: {
        const bool hpub = op == Op::kHpub;
        const int n = SplitArgs(args, a, hpub ? 4 : 3);
        const int min_args = hpub ? 3 : 2;
        if (n != min_args && n != min_args + 1) {
          result.error = ParseError::kBadArguments;
          return result;
        }
        PubArgs pub;
        pub.subject = a[0];
        if (n == min_args + 1) pub.reply = a[1];
        const int64_t total = ParseSize(a[n - 1]);
        const int64_t hdr = hpub ? ParseSize(a[n - 2]) : 0;
        if (total < 0 || hdr < 0 || hdr > total) {
          result.error = ParseError::kBadArguments;
          return result;
        }
        if (total > limits.max_payload) {
          result.error = ParseError::kMaxPayload;
          return result;
        }
        const char* body = data + next;
        const size_t have = size - next;
        const bool bad_end = (have > static_cast<size_t>(total) && body[total] != '\r') ||
                             (have > static_cast<size_t>(total) + 1 && body[total + 1] != '\n');
        if (!bad_end && have < static_cast<size_t>(total) + 2) {
          return result;  // payload incomplete: wait for more bytes
        }
        if (bad_end) {
          result.error = ParseError::kUnknownOp;
          return result;
        }
        pub.has_headers = hpub;
        pub.headers = std::string_view(body, hdr);
        pub.payload = std::string_view(body + hdr, total - hdr);
        next += total + 2;
        keep_going = handler->OnPub(pub);
        break;
      }
      case Op::kUnknown:
        break;
    }
    pos = next;
    result.consumed = pos;
    if (!keep_going) {
      result.error = ParseError::kStopped;
      return result;
    }
  }
  return result;
}

}  // namespace jsengine::gateway::core
