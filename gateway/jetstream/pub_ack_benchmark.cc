// Cost of building PubAck replies (the publish hot path) and, for scale, of
// a STREAM.INFO reply.
#include <string>

#include "benchmark/benchmark.h"
#include "common/status.h"
#include "gateway/jetstream/pub_ack.h"
#include "gateway/jetstream/stream_json.h"

namespace jsengine::gateway::jetstream {
namespace {

void BM_PubAckIntoReusedBuffer(benchmark::State& state) {
  v1::AppendResult result;
  result.set_stream("ORDERS");
  result.set_seq(123456789);
  std::string out;
  for (auto _ : state) {
    out.clear();
    AppendPubAck(result, &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_PubAckIntoReusedBuffer);

void BM_PubAckNewString(benchmark::State& state) {
  v1::AppendResult result;
  result.set_stream("ORDERS");
  result.set_seq(123456789);
  result.set_duplicate(state.range(0) != 0);
  for (auto _ : state) {
    std::string out = PubAck(result);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_PubAckNewString)->Arg(0)->Arg(1);

void BM_PubAckError(benchmark::State& state) {
  v1::AppendResult result;
  result.set_stream("ORDERS");
  *result.mutable_error() = common::ToErrorDetail(
      common::JsErrorF(common::JsErrorId::kStreamWrongLastSequence, {{"seq", "2"}}));
  for (auto _ : state) {
    std::string out = PubAck(result);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_PubAckError);

void BM_StreamInfoJson(benchmark::State& state) {
  v1::StreamInfo info;
  v1::StreamConfig* c = info.mutable_config();
  c->set_name("ORDERS");
  c->add_subjects("orders.*");
  c->add_subjects("ship.>");
  c->set_max_msgs(-1);
  c->set_duplicate_window_ns(120000000000);
  info.set_created_ns(1795537646951038088);
  info.mutable_state()->set_messages(1000);
  info.mutable_state()->set_first_ts_ns(1795537646953633808);
  info.mutable_state()->set_last_ts_ns(1795537646955296252);
  for (auto _ : state) {
    std::string out;
    common::GoJsonWriter w(&out);
    WriteStreamInfo(info, &w);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_StreamInfoJson);

}  // namespace
}  // namespace jsengine::gateway::jetstream

BENCHMARK_MAIN();
