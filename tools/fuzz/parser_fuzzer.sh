#!/usr/bin/env bash
# Builds the protocol parser fuzz target with clang's libFuzzer and
# AddressSanitizer, then runs it on a copy of the seed corpus.
#
#   tools/fuzz/parser_fuzzer.sh [seconds]     (default 30)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds="${1:-30}"
out="${FUZZ_OUT:-$(mktemp -d)}"
mkdir -p "$out"
clang="$(command -v clang++ || command -v clang++-14)"
"$clang" -std=c++17 -O1 -g -I. -fsanitize=fuzzer,address,undefined \
  gateway/core/parser.cc gateway/core/parser_fuzzer.cc -o "$out/parser_fuzzer"
mkdir -p "$out/corpus"
cp gateway/core/testdata/parser_corpus/* "$out/corpus/"
"$out/parser_fuzzer" -max_total_time="$seconds" -max_len=2048 "$out/corpus"
echo "fuzzer and corpus in $out"
