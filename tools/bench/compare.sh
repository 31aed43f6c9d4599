#!/usr/bin/env bash
# Runs the same benchmarks against nats-server -js (the reference) and our
# gateway, one after the other on this machine, and prints them side by side
# with ratios (ours / nats-server).
#
#   tools/bench/compare.sh            full run (a few minutes per server)
#   tools/bench/compare.sh --quick    small counts, for smoke testing
#
# Options / environment:
#   --quick | --full        counts to use (default --full)
#   --ours PATH             our server binary (env OURS_BIN; default
#                           bazel-bin/gateway/gateway, built if absent)
#   --repeat N              rounds; servers alternate each round and the
#                           table shows each metric's median (default: 3
#                           full, 1 quick). The restart scenario runs once.
#   --no-build              do not run bazel; use the binaries already built
#   --skip-restart          leave out the restart scenario
#   --only-restart          run only the restart scenario (restart-fill,
#                           stop, relaunch) and the disk check; the restart
#                           scenario then runs in every round
#   --crash                 end the restart scenario's first server with
#                           SIGKILL instead of SIGTERM (a crash restart)
#   --first-ack             after the relaunch, publish one message and time
#                           its PubAck (first_ack_ms, from process launch)
#                           before polling the count (restart_ms then counts
#                           from launch too, the ack included)
#   --skip-consume          leave out the consumer scenarios
#   --only-consume          run only the consumer scenarios (and the disk
#                           check)
#   --skip-kv               leave out the KV, direct get, ordered consumer
#                           and object store scenarios
#   --only-kv               run only those (and the disk check)
#   OURS_ARGS               extra flags for our server, e.g. "--sync=always"
#   NATS_SERVER_BIN         reference binary (default: nats-server on PATH)
#   BENCH_TIMEOUT_S         limit for one scenario run (default 600)
#   RESTART_MSGS            messages stored before the restart (default
#                           1000000 full, 20000 quick)
#   RESTART_TIMEOUT_S       limit for a restarted server to report every
#                           message again (default 300)
#
# Every server is started here on a free 127.0.0.1 port with a fresh store
# directory and stopped by PID (also on exit or interrupt). Each consumer
# scenario gets a server of its own, so its memory figures start clean.
# natsbench reads the server's resident memory from /proc: the server's own
# process, or, when the binary is a launcher (separate_gateway.sh), the sum
# over the processes it started.
set -uo pipefail

mode=full
build=1
restart=1
only_restart=0
crash=0
first_ack=0
consume=1
only_consume=0
kv=1
only_kv=0
repeat=""
ours_bin="${OURS_BIN:-}"
restart_timeout_s="${RESTART_TIMEOUT_S:-300}"
bench_timeout_s="${BENCH_TIMEOUT_S:-600}"
while (($#)); do
  case "$1" in
    --quick) mode=quick ;;
    --full) mode=full ;;
    --ours) shift; ours_bin="$1" ;;
    --ours=*) ours_bin="${1#--ours=}" ;;
    --repeat) shift; repeat="$1" ;;
    --repeat=*) repeat="${1#--repeat=}" ;;
    --no-build) build=0 ;;
    --skip-restart) restart=0 ;;
    --only-restart) only_restart=1 ;;
    --crash) crash=1 ;;
    --first-ack) first_ack=1 ;;
    --skip-consume) consume=0 ;;
    --only-consume) only_consume=1 ;;
    --skip-kv) kv=0 ;;
    --only-kv) only_kv=1 ;;
    -h|--help) sed -n '2,43p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1

if [[ "$mode" == quick ]]; then
  n_pub=200000; n_pubsub=100000; n_reqrep=1000; n_js_async=10000
  n_js_sync=500; n_restart=20000; disk_mib=16; disk_fsyncs=200
  n_consume=20000; n_fanout=10000; n_pending=10000; n_idle=100
  n_kv=1000; n_ordered=50000; n_obj=3
  repeat="${repeat:-1}"
else
  n_pub=2000000; n_pubsub=1000000; n_reqrep=20000; n_js_async=500000
  n_js_sync=20000; n_restart=1000000; disk_mib=256; disk_fsyncs=2000
  n_consume=500000; n_fanout=200000; n_pending=100000; n_idle=1000
  n_kv=20000; n_ordered=1000000; n_obj=20
  repeat="${repeat:-3}"
fi
n_restart="${RESTART_MSGS:-$n_restart}"
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: bad --repeat" >&2; exit 2; }
((only_restart && !restart)) &&
  { echo "compare.sh: --only-restart and --skip-restart exclude each other" >&2; exit 2; }
((only_consume && (!consume || only_restart))) &&
  { echo "compare.sh: --only-consume excludes --skip-consume and --only-restart" >&2; exit 2; }
((only_consume)) && restart=0
((only_kv && (!kv || only_restart || only_consume))) &&
  { echo "compare.sh: --only-kv excludes --skip-kv, --only-restart and --only-consume" >&2; exit 2; }
((only_kv)) && restart=0 && consume=0

bazel_cmd=(bazel)
[[ -x ./bazelw ]] && bazel_cmd=(./bazelw)

if ((build)); then
  "${bazel_cmd[@]}" build //tools/bench:natsbench //tools/bench:diskbench >&2 ||
    { echo "compare.sh: bazel build of the bench tools failed" >&2; exit 1; }
  if [[ -z "$ours_bin" && -f gateway/BUILD ]]; then
    "${bazel_cmd[@]}" build //gateway:gateway >&2 ||
      echo "compare.sh: bazel build //gateway:gateway failed" >&2
  fi
fi
natsbench="$root/bazel-bin/tools/bench/natsbench"
diskbench="$root/bazel-bin/tools/bench/diskbench"
[[ -x "$natsbench" && -x "$diskbench" ]] ||
  { echo "compare.sh: $natsbench or $diskbench missing" >&2; exit 1; }
ours_bin="${ours_bin:-$root/bazel-bin/gateway/gateway}"
ref_bin="${NATS_SERVER_BIN:-$(command -v nats-server || echo /usr/sbin/nats-server)}"
[[ -x "$ref_bin" ]] || { echo "compare.sh: nats-server not found" >&2; exit 1; }

load_start="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
work="$(mktemp -d "${TMPDIR:-/tmp}/jsbench.XXXXXX")"
server_pid=""

# stop_server [SIGNAL] : ends the current server (SIGTERM unless told,
# SIGKILL after 30 s).
stop_server() {
  [[ -n "$server_pid" ]] || return 0
  kill -"${1:-TERM}" "$server_pid" 2>/dev/null
  for _ in $(seq 3000); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.01
  done
  kill -KILL "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=""
}

cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    port_open "$p" || { echo "$p"; return; }
  done
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# launch_server LOG BIN ARGS... : starts it in the background ($server_pid).
launch_server() {
  local log="$1"; shift
  "$@" >>"$log" 2>&1 &
  server_pid=$!
}

# start_server LOG BIN ARGS... : launches it and waits for its port ($port);
# fails if it exits or does not listen within 20 s.
start_server() {
  launch_server "$@"
  for _ in $(seq 2000); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid" 2>/dev/null
      server_pid=""
      return 1
    fi
    port_open "$port" && return 0
    sleep 0.01
  done
  stop_server
  return 1
}

# The processes to measure, comma-separated: the server's own, or, when it
# is a launcher script, every process it started.
server_pids() {
  local all=() queue=("$server_pid") p kid
  while ((${#queue[@]})); do
    p="${queue[0]}"
    queue=("${queue[@]:1}")
    for kid in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
      all+=("$kid")
      queue+=("$kid")
    done
  done
  ((${#all[@]})) || all=("$server_pid")
  (IFS=,; echo "${all[*]}")
}

declare -A result   # result[side|row|metric] = values, one per round

# record SIDE ROW < OUTPUT : appends every key=value of its RESULT lines.
record() {
  local side="$1" row="$2" line kv
  while read -r line; do
    [[ "$line" == RESULT* ]] || continue
    for kv in $line; do
      [[ "$kv" == *=* ]] && result["$side|$row|${kv%%=*}"]+=" ${kv#*=}"
    done
  done
}

# bench SIDE ROW ARGS... : runs natsbench against the current server.
bench() {
  local side="$1" row="$2"; shift 2
  local out
  out="$("$natsbench" --url="nats://127.0.0.1:$port" --timeout_s="$bench_timeout_s" \
    --server_pid="$(server_pids)" "$@" 2>&1)"
  local rc=$?
  echo "$out" | sed "s/^/  [$side] /" >&2
  if ((rc != 0)); then
    result["$side|$row|failed"]=1
    return 1
  fi
  record "$side" "$row" <<<"$out"
}

# start_side DIR SIDE BIN ARGS... : a server on a free port over a fresh
# store in DIR ($server_args: its command line).
start_side() {
  local dir="$1" side="$2"; shift 2
  rm -rf "$dir/store"
  mkdir -p "$dir/store"
  port="$(free_port)"
  server_args=("$@" -a 127.0.0.1 -p "$port" -js -sd "$dir/store")
  if ! start_server "$dir/server.log" "${server_args[@]}"; then
    echo "compare.sh: $side server failed to start; its log:" >&2
    tail -n 20 "$dir/server.log" >&2
    return 1
  fi
  result["$side|ran|ok"]=1
}

# run_each_fresh ROUND SIDE DIR STREAM SUBJECT BIN ARGS... : each entry of
# $scenarios ("NAME FLAGS...") against a fresh server of its own.
run_each_fresh() {
  local round="$1" side="$2" dir="$3" stream="$4" subject="$5" scenario words
  shift 5
  for scenario in "${scenarios[@]}"; do
    read -r -a words <<<"$scenario"
    if ! start_side "$dir" "$side" "$@"; then
      result["$side|${words[0]}|failed"]=1
      continue
    fi
    echo "== round $round, $side, ${words[0]}: ${server_args[*]}" >&2
    bench "$side" "${words[0]}" --scenario="${words[0]}" --stream="$stream" \
      --subject="$subject" "${words[@]:1}"
    stop_server
  done
}

# run_side ROUND SIDE BIN ARGS... : the suite against one fresh server; the
# restart scenario only in round 1 (every round with --only-restart); then
# each consumer and KV scenario against a fresh server of its own.
run_side() {
  local round="$1" side="$2"; shift 2
  local dir="$work/$side-$round"
  if ((!only_consume && !only_kv)); then
    start_side "$dir" "$side" "$@" || return 1
    echo "== round $round, $side: ${server_args[*]}" >&2
  fi
  if ((!only_restart && !only_consume && !only_kv)); then
    bench "$side" pub --scenario=pub --msgs="$n_pub"
    bench "$side" pubsub --scenario=pubsub --msgs="$n_pubsub"
    bench "$side" pubsub-2x2 --scenario=pubsub --pubs=2 --subs=2 --msgs="$n_pubsub"
    bench "$side" reqrep --scenario=reqrep --msgs="$n_reqrep"
    bench "$side" js-pub-async --scenario=js-pub-async --msgs="$n_js_async"
    bench "$side" js-pub-sync --scenario=js-pub-sync --msgs="$n_js_sync"
  fi
  if ((restart && (round == 1 || only_restart))); then
    bench "$side" restart-fill --scenario=js-fill --stream=RESTART \
      --subject=restart.bench --msgs="$n_restart"
    local t0 t1
    t0=$(now_ms)
    if ((crash)); then stop_server KILL; else stop_server; fi
    t1=$(now_ms)
    result["$side|restart|stop_ms"]+=" $((t1 - t0))"
    # js-count reconnects every 10 ms, so the clock starts at process launch.
    t0=$(now_ms)
    launch_server "$dir/server.log" "${server_args[@]}"
    local want="$n_restart"
    if ((first_ack)); then
      # js-first-ack reconnects and publishes again until it gets a PubAck.
      if bench "$side" restart-ack --scenario=js-first-ack --subject=restart.bench \
           --timeout_s="$restart_timeout_s"; then
        t1=$(now_ms)
        result["$side|restart|first_ack_ms"]+=" $((t1 - t0))"
        want=$((n_restart + 1))
      else
        result["$side|restart|failed"]=1
      fi
    fi
    if bench "$side" restart-count --scenario=js-count --stream=RESTART \
         --wait_for_msgs="$want" --timeout_s="$restart_timeout_s"; then
      t1=$(now_ms)
      result["$side|restart|restart_ms"]+=" $((t1 - t0))"
    else
      result["$side|restart|failed"]=1
    fi
  fi
  stop_server
  if ((consume && !only_restart)); then
    scenarios=(
      "js-consume-push --msgs=$n_consume"
      "js-consume-pull --msgs=$n_consume --batch=100"
      "js-consume-fanout --msgs=$n_fanout --consumers=4"
      "js-mem-pending --msgs=$n_pending"
      "js-mem-consumers --msgs=1000 --consumers=$n_idle")
    run_each_fresh "$round" "$side" "$dir" CONSUME consume.bench "$@"
  fi
  if ((kv && !only_restart && !only_consume)); then
    scenarios=(
      "kv-put --msgs=$n_kv --keys=1000"
      "kv-get --msgs=$n_kv --keys=1000"
      "direct-get --msgs=$n_kv --keys=1000"
      "ordered-consume --msgs=$n_ordered"
      "obj-put --msgs=$n_obj --size=10485760"
      "obj-get --msgs=$n_obj --size=10485760")
    run_each_fresh "$round" "$side" "$dir" KVBENCH kvbench.msgs "$@"
  fi
  rm -rf "$dir/store"
}

[[ -x "$ours_bin" ]] ||
  echo "compare.sh: our server binary $ours_bin is missing; reference column only" >&2
# Our gateway's gRPC port on a free one too, so a busy default port fails no run.
ours_grpc=()
[[ "$(basename "$ours_bin")" == gateway ]] && ours_grpc=(--grpc_listen=127.0.0.1:0)
for round in $(seq "$repeat"); do
  run_side "$round" nats-server "$ref_bin"
  if [[ -x "$ours_bin" ]]; then
    # shellcheck disable=SC2086  # OURS_ARGS is a list of flags.
    run_side "$round" ours "$ours_bin" "${ours_grpc[@]}" ${OURS_ARGS:-}
  fi
done
have_ours=0
[[ -n "${result[ours|ran|ok]:-}" ]] && have_ours=1

"$diskbench" --dir="$work" --write_mib="$disk_mib" --fsyncs="$disk_fsyncs" \
  >"$work/disk.txt" 2>&1 || echo "compare.sh: diskbench failed" >&2
record disk disk <"$work/disk.txt"

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

value() {
  local key="$1|$2|$3"
  if [[ -n "${result[$key]:-}" ]]; then echo "${result[$key]}" | median
  elif [[ -n "${result[$1|$2|failed]:-}" ]]; then echo FAIL
  else echo -; fi
}

ratio() {
  [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]] || { echo -; return; }
  awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'
}

# ratio_range SIDE_A SIDE_B ROW METRIC : lowest..highest per-round ratio.
ratio_range() {
  local a="${result[$1|$3|$4]:-}" b="${result[$2|$3|$4]:-}"
  [[ -n "$a" && -n "$b" ]] || { echo -; return; }
  awk -v a="$a" -v b="$b" 'BEGIN {
    n = split(a, x, " "); m = split(b, y, " "); if (m < n) n = m
    for (i = 1; i <= n; i++) if (y[i] > 0) {
      r = x[i] / y[i]; k++
      if (k == 1 || r < lo) lo = r
      if (k == 1 || r > hi) hi = r
    }
    if (k) printf "%.2f..%.2f", lo, hi; else print "-"
  }'
}

rows=()
((only_restart || only_consume || only_kv)) || rows+=(
  "pub msgs_per_sec higher"
  "pub mib_per_sec higher"
  "pubsub pub_msgs_per_sec higher"
  "pubsub sub_msgs_per_sec higher"
  "pubsub sub_mib_per_sec higher"
  "pubsub-2x2 pub_msgs_per_sec higher"
  "pubsub-2x2 sub_msgs_per_sec higher"
  "reqrep req_per_sec higher"
  "reqrep p50_us lower"
  "reqrep p90_us lower"
  "reqrep p99_us lower"
  "js-pub-async msgs_per_sec higher"
  "js-pub-async mib_per_sec higher"
  "js-pub-sync msgs_per_sec higher"
  "js-pub-sync p50_us lower"
  "js-pub-sync p90_us lower"
  "js-pub-sync p99_us lower"
)
((restart)) && rows+=(
  "restart-fill msgs_per_sec higher"
  "restart stop_ms lower"
  "restart restart_ms lower"
)
((restart && first_ack)) && rows+=("restart first_ack_ms lower")
((consume && !only_restart)) && rows+=(
  "js-consume-push msgs_per_sec higher"
  "js-consume-pull msgs_per_sec higher"
  "js-consume-fanout msgs_per_sec higher"
  "js-mem-pending bytes_per_pending_ack lower"
  "js-mem-consumers bytes_per_consumer lower"
  "js-mem-consumers creates_per_sec higher"
)
kv_rows=(kv-put kv-get direct-get ordered-consume obj-put obj-get)
((kv && !only_restart && !only_consume)) && rows+=(
  "kv-put ops_per_sec higher"
  "kv-put p50_us lower"
  "kv-get ops_per_sec higher"
  "kv-get p50_us lower"
  "direct-get ops_per_sec higher"
  "direct-get p50_us lower"
  "ordered-consume msgs_per_sec higher"
  "obj-put mb_per_sec higher"
  "obj-get mb_per_sec higher"
)
# Peak resident memory of the server (all its processes) per scenario.
peak_rows=()
((!only_restart && !only_consume && !only_kv)) &&
  peak_rows+=(pub pubsub pubsub-2x2 reqrep js-pub-async js-pub-sync)
((restart)) && peak_rows+=(restart-fill)
((consume && !only_restart)) &&
  peak_rows+=(js-consume-push js-consume-pull js-consume-fanout js-mem-pending js-mem-consumers)
((kv && !only_restart && !only_consume)) && peak_rows+=("${kv_rows[@]}")
for row in "${peak_rows[@]}"; do rows+=("$row server_peak_rss_mib lower"); done

echo
echo "Benchmark comparison ($mode mode, median of $repeat rounds), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
echo "load average (1/5/15 min) at start: ${load_start:-?}, at end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "reference: $("$ref_bin" --version 2>/dev/null | head -1) ($ref_bin)"
if ((have_ours)); then
  echo "ours: ${ours_bin#"$root"/}${OURS_ARGS:+ $OURS_ARGS}"
else
  echo "ours: not run (${ours_bin#"$root"/} missing or failed to start)"
fi
echo "ratio = ours / nats-server; 'higher' rows: ratio > 1 means ours is better;"
echo "'lower' rows: ratio < 1 means ours is better. Values are medians over rounds;"
echo "'round range' is the lowest..highest ours/nats-server ratio of a single round."
echo
fmt="| %-17s | %-21s | %-6s | %14s | %14s | %6s | %-11s |\n"
# shellcheck disable=SC2059
printf "$fmt" scenario metric better nats-server ours ratio "round range"
echo "|-------------------|-----------------------|--------|----------------|----------------|--------|-------------|"
for row in "${rows[@]}"; do
  read -r scenario metric better <<<"$row"
  ref="$(value nats-server "$scenario" "$metric")"
  if ((have_ours)); then ours="$(value ours "$scenario" "$metric")"; else ours=-; fi
  # shellcheck disable=SC2059
  range=-
  ((have_ours)) && range="$(ratio_range ours nats-server "$scenario" "$metric")"
  printf "$fmt" "$scenario" "$metric" "$better" "$ref" "$ours" "$(ratio "$ours" "$ref")" "$range"
done
echo
if ((!only_consume && !only_kv)); then
  echo "Counts: pub $n_pub, pubsub $n_pubsub (1x1 and 2x2), reqrep $n_reqrep," \
    "js-pub-async $n_js_async, js-pub-sync $n_js_sync, restart $n_restart; payload 128 B."
  echo "restart: fill a file stream, $( ((crash)) && echo SIGKILL || echo SIGTERM) the server (stop_ms), start it again and"
  echo "poll until the stream reports every message (restart_ms, from process launch)."
  ((first_ack)) && echo "first_ack_ms: from process launch to the PubAck of one publish made before that poll."
fi
if ((consume && !only_restart)); then
  echo "Consumers (each on a fresh server, stream pre-filled): push $n_consume and pull" \
    "$n_consume (fetch 100) msgs, fan-out 4 x $n_fanout, each message acked;"
  echo "memory: $n_pending delivered unacked msgs on one consumer, $n_idle idle consumers."
fi
if ((kv && !only_restart && !only_consume)); then
  echo "KV (each on a fresh server, one client, each call waits for its answer, file storage):"
  echo "kv-put $n_kv kvStore_Put of 128 B over 1000 keys; kv-get $n_kv kvStore_Get of them"
  echo "(direct get: nats.c's KV streams allow it); direct-get $n_kv js_DirectGetMsg by sequence"
  echo "over 1000 stored msgs; ordered-consume $n_ordered stored 128 B msgs through an ordered"
  echo "consumer; obj-put $n_obj objects of 10 MiB, obj-get one 10 MiB object $n_obj times (object"
  echo "store protocol over JetStream calls, 128 KiB chunks, no digest; MB = 10^6 bytes)."
fi
echo "server_peak_rss_mib: VmHWM summed over the server's processes, reset when the"
echo "scenario starts (consume scenarios: after the pre-fill)."
echo
echo "Disk under the store directories (diskbench, $disk_mib MiB / $disk_fsyncs fsyncs):"
echo "  sequential 4 KiB appends: $(value disk disk mib_per_sec) MiB/s buffered," \
  "$(value disk disk durable_mib_per_sec) MiB/s with final fdatasync"
echo "  4 KiB append + fdatasync: p50 $(value disk disk p50_us) us," \
  "p99 $(value disk disk p99_us) us ($(value disk disk fsyncs_per_sec)/s)"

failed=0
for key in "${!result[@]}"; do
  [[ "$key" == *"|failed" ]] && failed=1
done
exit "$failed"
