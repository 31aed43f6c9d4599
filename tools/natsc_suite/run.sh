#!/usr/bin/env bash
# Runs the nats.c client's own test suite against nats-server and against our
# gateway, and prints per-group pass counts side by side.
#
#   tools/natsc_suite/run.sh /path/to/nats.c [group...]
#
# Groups: lib core tls nkeys cluster jetstream (default: all; cluster starts
# servers joined by routes). Manual check only: it needs an external nats.c
# checkout and takes tens of minutes; it is not a bazel test. See
# docs/COMPATIBILITY.md.
#
# Environment:
#   GATEWAY      our binary (default: bazel-bin/gateway/gateway of this repo)
#   NATS_SERVER  reference binary (default: nats-server from PATH)
#   SERVERS      which to run (default: "reference ours")
#   TIMEOUT      seconds per test (default: 180)
#   OUT          results directory (default: /tmp/natsc_suite)
#   ONLY         space-separated test names: run just these
#
# Each test runs as `testsuite N N` in its own network namespace (unshare -n;
# the tests use fixed ports), with `nats-server` on PATH being a wrapper that
# execs the server under test. A test passes when it prints "ALL PASSED".
# The two servers run concurrently, each in its own namespaces.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
natsc=$(cd "$1" && pwd)
shift
groups=("$@")
[[ ${#groups[@]} -eq 0 ]] && groups=(lib core tls nkeys cluster jetstream)

repo=$(cd "$(dirname "$0")/../.." && pwd)
gateway=${GATEWAY:-$repo/bazel-bin/gateway/gateway}
reference=${NATS_SERVER:-$(command -v nats-server || true)}
servers=${SERVERS:-reference ours}
timeout_s=${TIMEOUT:-180}
out=${OUT:-/tmp/natsc_suite}

build=$natsc/build-jsengine
mkdir -p "$build" "$out"
echo "== building nats.c testsuite in $build"
(cd "$build" && cmake "$natsc" -DNATS_BUILD_STREAMING=OFF -DNATS_BUILD_EXAMPLES=OFF \
  -DNATS_BUILD_LIB_SHARED=OFF -DCMAKE_BUILD_TYPE=Release >"$out/cmake.log" 2>&1 &&
  make -j"$(nproc)" testsuite >"$out/make.log" 2>&1) ||
  { echo "build failed: see $out/cmake.log $out/make.log"; exit 1; }
testsuite=$build/test/testsuite
version=$(git -C "$natsc" describe --tags 2>/dev/null || echo unknown)
echo "== nats.c $version"

# The test list in the binary's order; a test's index is its line number - 1.
(cd "$out" && "$testsuite" >/dev/null)
mapfile -t names <"$out/list.txt"

# Groups follow the suite's own sections: everything before DefaultConnection
# is library/package level; cluster tests run from ServersOption to the first
# JetStream test; TLS and nkeys/creds tests are picked out of the public API.
group_of=()
section=lib
for name in "${names[@]}"; do
  case $name in
    DefaultConnection) section=core ;;
    ServersOption) section=cluster ;;
    JetStream* | KeyValue*) section=jetstream ;;
  esac
  g=$section
  if [[ $section == core ]]; then
    case $name in
      SSL* | *TLS*) g=tls ;;
      NKey* | UserCreds* | ConnSign) g=nkeys ;;
    esac
  fi
  group_of+=("$g")
done

selected() {
  local g=$1 name=$2 want
  if [[ -n ${ONLY:-} ]]; then
    for want in $ONLY; do [[ $want == "$name" ]] && return 0; done
    return 1
  fi
  for want in "${groups[@]}"; do [[ $want == "$g" ]] && return 0; done
  return 1
}

# Prefix that runs a command in a fresh network namespace with loopback up.
if [[ $(id -u) -eq 0 ]]; then netns=(unshare -n); else netns=(unshare -rn); fi
netns+=(sh -c 'ip link set lo up && exec "$@"' _)
if ! "${netns[@]}" true 2>/dev/null; then
  echo "warning: no network namespaces; running on the host's ports, one server at a time"
  netns=(env)
  servers_serial=1
fi

run_server() {
  local label=$1 exe=$2
  local dir=$out/$label
  rm -rf "$dir"
  mkdir -p "$dir/bin" "$dir/logs" "$dir/work"
  printf '#!/bin/sh\nexec %q%s "$@"\n' "$exe" \
    "$([[ $label == ours ]] && echo ' --grpc_listen=127.0.0.1:0')" >"$dir/bin/nats-server"
  chmod +x "$dir/bin/nats-server"
  # The tests read certificates and configuration files relative to cwd.
  cp -r "$natsc/test/." "$dir/work/"
  local server_version
  server_version=$("$exe" -v 2>&1 | head -1)
  : >"$dir/results.tsv"
  local i
  for i in "${!names[@]}"; do
    local name=${names[$i]} g=${group_of[$i]}
    selected "$g" "$name" || continue
    local start=$SECONDS rc=0 verdict
    (cd "$dir/work" && PATH="$dir/bin:$PATH" NATS_TEST_SERVER_VERSION="$server_version" \
      "${netns[@]}" timeout -k 5 "$timeout_s" "$testsuite" "$i" "$i") \
      >"$dir/logs/$name.log" 2>&1 || rc=$?
    if grep -q "ALL PASSED" "$dir/logs/$name.log"; then
      verdict=PASS
    elif [[ $rc -eq 124 || $rc -eq 137 ]]; then
      verdict=TIMEOUT
    else
      verdict=FAIL
    fi
    grep -q "Skipping since" "$dir/logs/$name.log" && verdict="$verdict(skip)"
    printf '%s\t%s\t%s\t%s\n' "$g" "$name" "$verdict" "$((SECONDS - start))" >>"$dir/results.tsv"
  done
  rm -rf "$dir/work"/datastore_* "$dir/work"/conf_*
}

pids=()
for s in $servers; do
  case $s in
    reference) exe=$reference ;;
    ours) exe=$gateway ;;
    *) echo "unknown server $s"; exit 2 ;;
  esac
  [[ -x $exe ]] || { echo "$s: no executable $exe"; exit 1; }
  echo "== $s: $("$exe" -v 2>&1 | head -1) ($exe), logs in $out/$s/logs"
  if [[ -n ${servers_serial:-} ]]; then
    run_server "$s" "$exe"
  else
    run_server "$s" "$exe" &
    pids+=($!)
  fi
done
for p in ${pids[@]+"${pids[@]}"}; do wait "$p"; done

echo
printf '%-10s' group
for s in $servers; do printf '%14s' "$s"; done
echo
for g in "${groups[@]}" total; do
  printf '%-10s' "$g"
  for s in $servers; do
    awk -F'\t' -v g="$g" '(g == "total" || $1 == g) { n++; if ($3 ~ /^PASS/) p++ }
      END { printf "%14s", (p + 0) "/" (n + 0) }' "$out/$s/results.tsv"
  done
  echo
done
if [[ " $servers " == *" reference "* && " $servers " == *" ours "* ]]; then
  echo
  echo "passing with reference, not with ours:"
  awk -F'\t' 'NR == FNR { if ($3 ~ /^PASS/) ok[$2] = 1; next }
    ($2 in ok) && $3 !~ /^PASS/ { print "  " $1 "\t" $2 "\t" $3 }' \
    "$out/reference/results.tsv" "$out/ours/results.tsv"
  echo "passing with ours, not with reference:"
  awk -F'\t' 'NR == FNR { if ($3 ~ /^PASS/) ok[$2] = 1; next }
    ($2 in ok) && $3 !~ /^PASS/ { print "  " $1 "\t" $2 "\t" $3 }' \
    "$out/ours/results.tsv" "$out/reference/results.tsv"
fi
