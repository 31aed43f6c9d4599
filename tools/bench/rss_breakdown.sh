#!/usr/bin/env bash
# Runs one consume scenario against a fresh server and prints, per server
# process, its peak RSS (VmHWM, reset after the fill), what that peak was
# made of (the binary's own mappings, shared libraries, anonymous memory,
# from /proc/PID/smaps sampled every 0.1 s at the process's highest RSS),
# its thread count, and the CPU all server processes spent per consumed
# message (utime+stime from /proc/PID/stat).
#
#   tools/bench/rss_breakdown.sh MODE SCENARIO [BIN_DIR]
#
# MODE: 3 (tools/bench/separate_gateway.sh: storesvc, consumersvc, gateway),
# 1 (the embedded gateway) or nats (nats-server). SCENARIO: pull (500000
# messages, fetches of 100), push (500000) or fanout (4 consumers x 200000).
# BIN_DIR: where gateway/gateway, storesvc/storesvc and consumersvc/consumersvc
# are (default bazel-bin). Needs python3.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mode="$1"
scenario="$2"
bin="${3:-$root/bazel-bin}"
natsbench="$root/bazel-bin/tools/bench/natsbench"

case "$scenario" in
  pull) msgs=500000; args=(--scenario=js-consume-pull --batch=100) ;;
  push) msgs=500000; args=(--scenario=js-consume-push) ;;
  fanout) msgs=200000; args=(--scenario=js-consume-fanout --consumers=4) ;;
  *) echo "rss_breakdown.sh: unknown scenario $scenario" >&2; exit 2 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/rss_breakdown.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
case "$mode" in
  3) JSENGINE_BIN_DIR="$bin" "$root/tools/bench/separate_gateway.sh" -a 127.0.0.1 -p "$port" \
       -js -sd "$work/data" >"$work/server.log" 2>&1 & ;;
  1) "$bin/gateway/gateway" -a 127.0.0.1 -p "$port" -js -sd "$work/data" >"$work/server.log" 2>&1 & ;;
  nats) nats-server -a 127.0.0.1 -p "$port" -js -sd "$work/data" >"$work/server.log" 2>&1 & ;;
  *) echo "rss_breakdown.sh: unknown mode $mode" >&2; exit 2 ;;
esac
top=$!
trap 'kill -TERM "$top" 2>/dev/null; wait "$top" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 200); do
  (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done
if [[ "$mode" == 3 ]]; then pids=$(pgrep -P "$top" | paste -sd' '); else pids="$top"; fi

cpu_ticks() { for p in $pids; do awk '{print $14 + $15}' "/proc/$p/stat"; done | paste -sd+ | bc; }

"$natsbench" --url="nats://127.0.0.1:$port" --scenario=js-fill --stream=R --subject=r.x \
  --msgs="$msgs" >/dev/null
cpu_before=$(cpu_ticks)
python3 - "$work/stop" $pids >"$work/breakdown" <<'EOF' &
import os, sys, time
stop, pids = sys.argv[1], [int(p) for p in sys.argv[2:]]

def sample(pid):
    exe = os.readlink(f'/proc/{pid}/exe')
    kinds = {'binary': 0, 'libraries': 0, 'anonymous': 0}
    kind = 'anonymous'
    with open(f'/proc/{pid}/smaps') as smaps:
        for line in smaps:
            f = line.split()
            if not f[0].endswith(':'):
                path = f[5] if len(f) > 5 else ''
                kind = 'binary' if path == exe else 'libraries' if path.startswith('/') else 'anonymous'
            elif f[0] == 'Rss:':
                kinds[kind] += int(f[1])
    return sum(kinds.values()), kinds, len(os.listdir(f'/proc/{pid}/task'))

peak = {}
while not os.path.exists(stop):
    for pid in pids:
        try:
            s = sample(pid)
        except OSError:
            continue
        if pid not in peak or s[0] > peak[pid][0]:
            peak[pid] = s
    time.sleep(0.1)
for pid in pids:
    name = os.path.basename(os.readlink(f'/proc/{pid}/exe'))
    hwm = next(l.split()[1] for l in open(f'/proc/{pid}/status') if l.startswith('VmHWM'))
    total, kinds, threads = peak.get(pid, (0, {}, 0))
    parts = ' '.join(f'{k} {v / 1024:.1f}' for k, v in kinds.items())
    print(f'{name}: VmHWM {int(hwm) / 1024:.1f} MiB; at its sampled peak {total / 1024:.1f}: '
          f'{parts}; {threads} threads')
EOF
sampler=$!
sleep 0.2
"$natsbench" --url="nats://127.0.0.1:$port" --stream=R --subject=r.x --msgs="$msgs" --prefilled \
  --server_pid="$(echo "$pids" | tr ' ' ,)" "${args[@]}" | grep '^RESULT'
cpu_after=$(cpu_ticks)
touch "$work/stop"
wait "$sampler"
cat "$work/breakdown"
hz=$(getconf CLK_TCK)
echo "cpu_us_per_msg $(echo "scale=2; ($cpu_after - $cpu_before) * 1000000 / $hz / $msgs" | bc)"
