#!/usr/bin/env bash
# Runs the engine as three processes (storesvc, consumersvc, a pure gateway)
# behind one command line that takes the gateway's flags, so benchmarks can
# start it like a single server:
#
#   OURS_BIN=tools/bench/separate_gateway.sh tools/bench/compare.sh
#
# -sd DIR goes to storesvc as its data directory, --sync=... likewise; every
# other flag goes to the gateway. SIGTERM/SIGINT stop all three.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin="${JSENGINE_BIN_DIR:-$root/bazel-bin}"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

data_dir="${TMPDIR:-/tmp}/jsengine/jetstream"
sync_args=()
gateway_args=()
while (($#)); do
  case "$1" in
    -sd|--store_dir) data_dir="$2"; shift 2 ;;
    --sync=*) sync_args+=("$1"); shift ;;
    -js|--jetstream) shift ;;
    *) gateway_args+=("$1"); shift ;;
  esac
done

store_addr="127.0.0.1:$(free_port)"
consumer_addr="127.0.0.1:$(free_port)"
pids=()
stop() {
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  wait
}
trap 'stop; exit 0' TERM INT

"$bin/storesvc/storesvc" --listen="$store_addr" --data_dir="$data_dir" "${sync_args[@]}" &
pids+=($!)
"$bin/consumersvc/consumersvc" --listen="$consumer_addr" &
pids+=($!)
for _ in $(seq 1 500); do
  if (exec 3<>"/dev/tcp/${store_addr%:*}/${store_addr#*:}") 2>/dev/null; then break; fi
  sleep 0.01
done
"$bin/gateway/gateway" --store="$store_addr" --consumer="$consumer_addr" "${gateway_args[@]}" &
pids+=($!)
wait "${pids[2]}"
stop
