#!/bin/bash
# Runs the same nats.go (the official Go client) scenarios against
# nats-server -js and against our gateway, and prints the difference:
# a quick way to find where we behave unlike the reference.
#
#   testing/gocompare/compare.sh [scenario,scenario,...]
#
# Needs Debian's golang-go and golang-github-nats-io-go-nats-dev (builds in
# GOPATH mode from /usr/share/gocode, offline) and a built //gateway. Each
# server runs on a free port, in a temp directory; after the scenarios it
# is killed with SIGKILL and restarted, and the restart scenario checks what
# durable consumers kept. Lines that differ are not all bugs: nats-server
# applies acks asynchronously, and 2.9.10 loses acks on kill -9.
# KEEP=DIR copies both outputs and both server logs there. NATS_SERVER: the
# reference binary (default: nats-server from PATH); OURS_BIN: ours.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
only="${1:-}"
work="$(mktemp -d -t gocompare.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/gopath/src/gocompare"
cp "$here"/*.go "$work/gopath/src/gocompare/"
(cd "$work/gopath/src/gocompare" && GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode" \
  GOCACHE="$work/gocache" go build -o "$work/gocompare" .)
ours="${OURS_BIN:-$root/bazel-bin/gateway/gateway}"
reference="${NATS_SERVER:-nats-server}"
[ -x "$ours" ] || { echo "no $ours: run ./bazelw build //gateway first" >&2; exit 2; }

# start SIDE DATA_DIR: starts a server, sets $pid and $url.
start() {
  local side=$1 dir=$2 ports="$work/ports-$1"
  rm -rf "$ports"; mkdir -p "$ports"
  if [ "$side" = ref ]; then
    "$reference" -js -sd "$dir" -a 127.0.0.1 -p -1 --ports_file_dir "$ports" >>"$work/$side.log" 2>&1 &
  else
    "$ours" -js -sd "$dir" -a 127.0.0.1 -p -1 --grpc_listen=127.0.0.1:0 \
      --ports_file_dir "$ports" >>"$work/$side.log" 2>&1 &
  fi
  pid=$!; pids+=("$pid")
  for _ in $(seq 100); do
    f=$(ls "$ports"/*.ports 2>/dev/null | head -1) || true
    if [ -n "$f" ] && url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nats"][0])' "$f" 2>/dev/null); then
      return 0
    fi
    sleep 0.1
  done
  echo "$side did not start; log: $work/$side.log" >&2; exit 1
}

run_side() {
  local side=$1 out="$work/out-$1.txt" dir="$work/data-$1"
  start "$side" "$dir"
  # TMPDIR: phase 1 leaves names for phase 2 there; one per run.
  export TMPDIR="$work"
  "$work/gocompare" -url "$url" ${only:+-only=$only} >"$out" 2>&1 || true
  "$work/gocompare" -url "$url" -phase=1 >>"$out" 2>&1 || true
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  start "$side" "$dir"
  "$work/gocompare" -url "$url" -phase=2 >>"$out" 2>&1 || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run_side ref
run_side ours
[ -n "${KEEP:-}" ] && cp "$work/out-ref.txt" "$work/out-ours.txt" "$work/ref.log" "$work/ours.log" "$KEEP"/ 2>/dev/null || true
if diff -u "$work/out-ref.txt" "$work/out-ours.txt"; then
  echo "gocompare: no difference ($(wc -l <"$work/out-ref.txt") lines)"
else
  echo "gocompare: the lines above differ (- nats-server, + ours)"
fi
