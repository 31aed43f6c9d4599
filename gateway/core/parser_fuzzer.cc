// libFuzzer target for the protocol parser. Besides crashes (and, built with
// sanitizers, memory errors) it checks that parsing the input in one piece and
// in pieces split at input-derived offsets yields the same operations and
// the same error: the parser must not depend on how reads are split.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "gateway/core/parser.h"
#include "gateway/core/parser_test_util.h"

namespace {

using jsengine::gateway::core::FeedChunks;
using jsengine::gateway::core::Parse;
using jsengine::gateway::core::ParseError;
using jsengine::gateway::core::ParseResult;
using jsengine::gateway::core::ParserLimits;
using jsengine::gateway::core::RecordingHandler;

// Parses everything available, as a connection would, stopping at an error.
ParseError FeedWhole(std::string_view input, const ParserLimits& limits, RecordingHandler* h) {
  ParseResult r = Parse(input, limits, h);
  if (r.consumed > input.size()) std::abort();
  return r.error;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  ParserLimits limits;
  limits.max_payload = 512;
  limits.max_control_line = 256;
  const size_t step = 1 + data[0] % 17;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  RecordingHandler whole;
  const ParseError whole_error = FeedWhole(input, limits, &whole);

  std::vector<std::string_view> chunks;
  for (size_t i = 0; i < input.size(); i += step) chunks.push_back(input.substr(i, step));
  RecordingHandler split;
  const ParseError split_error = FeedChunks(chunks, limits, &split);

  // An error found early in pieces (e.g. an over-long line) may be found later
  // or not at all in one piece only when the whole input ends mid-operation;
  // the operations parsed before it must agree either way.
  const size_t common = std::min(whole.ops.size(), split.ops.size());
  for (size_t i = 0; i < common; ++i) {
    if (whole.ops[i] != split.ops[i]) std::abort();
  }
  if (whole_error == split_error && whole.ops.size() != split.ops.size()) std::abort();
  return 0;
}
