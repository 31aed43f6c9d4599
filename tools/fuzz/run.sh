#!/usr/bin/env bash
# Builds a libFuzzer target with clang, ASan and UBSan (--config=fuzz) and
# runs it from its seed corpus.
#
#   tools/fuzz/run.sh                      every target, 30 s each
#   tools/fuzz/run.sh parser 300           one target, 5 minutes
#
# Targets and their seed corpora (the same corpora are replayed by
# `bazel test` through each *_fuzzer_replay_test):
#   parser          NATS client protocol parser (gateway/core)
#   stream_config   $JS.API stream configuration JSON (gateway/jetstream)
#   consumer_config $JS.API consumer create requests and their rules (gateway/jetstream)
#   segment_record  on-disk segment records and NATS headers (storesvc)
#   saved_index     on-disk segment index files and state.snap (storesvc)
#   stream_meta     a stream's meta.pb, framed or unframed (storesvc)
#   ack             $JS.ACK subjects and ack bodies (consumersvc)
#   consumer_state  a consumer's journal, state.snap and meta.pb (consumersvc)
#   jwt             NATS JWTs: user, account, operator claims (gateway/core)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

declare -A label=(
  [parser]=//gateway/core:parser_fuzzer
  [stream_config]=//gateway/jetstream:stream_config_fuzzer
  [consumer_config]=//gateway/jetstream:consumer_config_fuzzer
  [segment_record]=//storesvc:segment_record_fuzzer
  [saved_index]=//storesvc:saved_index_fuzzer
  [stream_meta]=//storesvc:stream_meta_fuzzer
  [ack]=//consumersvc:ack_fuzzer
  [consumer_state]=//consumersvc:consumer_state_fuzzer
  [jwt]=//gateway/core:jwt_fuzzer
)
declare -A corpus=(
  [parser]=gateway/core/testdata/parser_corpus
  [stream_config]=gateway/jetstream/testdata/stream_config_corpus
  [consumer_config]=gateway/jetstream/testdata/consumer_config_corpus
  [segment_record]=storesvc/testdata/segment_record_corpus
  [saved_index]=storesvc/testdata/saved_index_corpus
  [stream_meta]=storesvc/testdata/stream_meta_corpus
  [ack]=consumersvc/testdata/ack_corpus
  [consumer_state]=consumersvc/testdata/consumer_state_corpus
  [jwt]=gateway/core/testdata/jwt_corpus
)

targets=("${1:-}")
[[ -n "${targets[0]}" ]] || targets=(parser stream_config consumer_config segment_record saved_index stream_meta ack consumer_state jwt)
seconds="${2:-30}"
bazel=./bazelw
[[ -x "$bazel" ]] || bazel=bazel

for t in "${targets[@]}"; do
  [[ -n "${label[$t]:-}" ]] || { echo "unknown target $t (one of: ${!label[*]})" >&2; exit 2; }
  "$bazel" build --config=fuzz "${label[$t]}"
  work=$(mktemp -d)
  cp "${corpus[$t]}"/* "$work/"
  binary="bazel-bin/$(echo "${label[$t]#//}" | tr ':' '/')"
  echo "== $t: ${seconds}s, corpus in $work"
  "$binary" -max_total_time="$seconds" -max_len=4096 "$work"
done
