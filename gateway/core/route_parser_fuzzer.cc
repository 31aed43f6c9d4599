// libFuzzer target for the route protocol parser, in both dialects (routes'
// and leaf connections', picked by the first byte): besides crashes it checks
// that parsing the input whole and in input-derived pieces (as reads split
// it) yields the same operations.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/route_parser.h"

namespace {

using jsengine::gateway::core::ParseRoute;
using jsengine::gateway::core::RouteDialect;
using jsengine::gateway::core::RoutedMessage;
using jsengine::gateway::core::RouteParseError;
using jsengine::gateway::core::RouteParserHandler;
using jsengine::gateway::core::RouteParserLimits;

class Recorder : public RouteParserHandler {
 public:
  bool OnRouteInfo(std::string_view json) override { return Add("I", json); }
  bool OnRouteConnect(std::string_view json) override { return Add("C", json); }
  bool OnRoutePing() override { return Add("P", ""); }
  bool OnRoutePong() override { return Add("O", ""); }
  bool OnRouteErr(std::string_view text) override { return Add("E", text); }
  bool OnRemoteSub(std::string_view account, std::string_view subject, std::string_view queue,
                   int weight) override {
    return Add("S", std::string(account) + "|" + std::string(subject) + "|" + std::string(queue) +
                        "|" + std::to_string(weight));
  }
  bool OnRemoteUnsub(std::string_view account, std::string_view subject,
                     std::string_view queue) override {
    return Add("U", std::string(account) + "|" + std::string(subject) + "|" + std::string(queue));
  }
  bool OnRoutedMessage(const RoutedMessage& m) override {
    if (m.headers.size() + m.payload.size() > 1 << 20) std::abort();
    std::string q;
    for (std::string_view s : m.queues) q += std::string(s) + ",";
    return Add("M", std::string(m.account) + "|" + std::string(m.subject) + "|" +
                        std::string(m.reply) + "|" + q + "|" + std::string(m.headers) + "|" +
                        std::string(m.payload));
  }
  std::vector<std::string> ops;

 private:
  bool Add(std::string_view kind, std::string_view text) {
    ops.push_back(std::string(kind) + std::string(text));
    return true;
  }
};

// Feeds `chunks` as a connection would: appending each to what is left.
RouteParseError Feed(const std::vector<std::string_view>& chunks, const RouteParserLimits& limits,
                     RouteDialect dialect, Recorder* r) {
  std::string buffer;
  for (std::string_view chunk : chunks) {
    buffer.append(chunk);
    auto res = ParseRoute(buffer, limits, r, dialect);
    if (res.consumed > buffer.size()) std::abort();
    buffer.erase(0, res.consumed);
    if (res.error != RouteParseError::kNone) return res.error;
  }
  return RouteParseError::kNone;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  RouteParserLimits limits;
  limits.max_payload = 512;
  limits.max_control_line = 256;
  const size_t step = 1 + data[0] % 17;
  const RouteDialect dialect = data[0] & 0x80 ? RouteDialect::kLeaf : RouteDialect::kRoute;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  Recorder whole;
  const RouteParseError whole_error = Feed({input}, limits, dialect, &whole);
  std::vector<std::string_view> chunks;
  for (size_t i = 0; i < input.size(); i += step) chunks.push_back(input.substr(i, step));
  Recorder split;
  const RouteParseError split_error = Feed(chunks, limits, dialect, &split);
  const size_t common = std::min(whole.ops.size(), split.ops.size());
  for (size_t i = 0; i < common; ++i) {
    if (whole.ops[i] != split.ops[i]) std::abort();
  }
  if (whole_error == split_error && whole.ops.size() != split.ops.size()) std::abort();
  return 0;
}
