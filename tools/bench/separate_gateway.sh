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

ports_dir=$(mktemp -d)
pids=()
stop() {
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  wait
  rm -rf "$ports_dir"
}
trap 'stop; exit 0' TERM INT

# grpc_address NAME PID: the address in the service's ports file, once it
# serves (the file appears whole).
grpc_address() {
  local file="$ports_dir/$1_$2.ports"
  for _ in $(seq 1 2000); do
    if [[ -f "$file" ]]; then
      sed -E 's/.*"grpc":\["([^"]+)".*/\1/' "$file"
      return 0
    fi
    kill -0 "$2" 2>/dev/null || break
    sleep 0.01
  done
  echo "separate_gateway.sh: $1 did not start" >&2
  return 1
}

"$bin/storesvc/storesvc" --listen=127.0.0.1:0 --ports_file_dir="$ports_dir" \
  --data_dir="$data_dir" "${sync_args[@]}" &
pids+=($!)
store_addr=$(grpc_address storesvc "${pids[0]}") || { stop; exit 1; }
"$bin/consumersvc/consumersvc" --listen=127.0.0.1:0 --ports_file_dir="$ports_dir" \
  --store="$store_addr" --data_dir="$data_dir" "${sync_args[@]}" &
pids+=($!)
consumer_addr=$(grpc_address consumersvc "${pids[1]}") || { stop; exit 1; }
"$bin/gateway/gateway" -js --store="$store_addr" --consumer="$consumer_addr" "${gateway_args[@]}" &
pids+=($!)
wait "${pids[2]}"
stop
