#!/usr/bin/env bash
# Runs nats.go's own JetStream, KV and object store tests against nats-server
# and against our gateway, and prints the pass counts side by side.
#
#   tools/natsgo_suite/run.sh [test-name-regexp]
#
# Needs Debian's golang-go and golang-github-nats-io-go-nats-dev (the nats.go
# sources under /usr/share/gocode; built offline in GOPATH mode) and a built
# //gateway. Manual check only, not a bazel test; see docs/COMPATIBILITY.md.
#
# Environment:
#   GATEWAY      our binary (default: bazel-bin/gateway/gateway of this repo)
#   NATS_SERVER  reference binary (default: nats-server from PATH)
#   NATSGO       nats.go sources (default: /usr/share/gocode/src/github.com/nats-io/nats.go)
#   SERVERS      which to run (default: "reference ours")
#   TIMEOUT      seconds per test (default: 120)
#   JOBS         tests run at once per server (default: 2)
#   OUT          results directory (default: /tmp/natsgo_suite)
#
# nats.go's tests start nats-server in-process through the nats-server Go
# module, which is not packaged. tools/natsgo_suite/shim/ stands in for its
# `server` and `test` packages: RunServer writes a config file from the
# Options and starts the binary under test. The upstream test files are
# copied (not kept) into a temporary GOPATH with the shim and compiled once;
# then each test runs alone (`-test.run '^Name$'`), JOBS at a time. A test
# that asks for routes between servers is reported "n/a".
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/tools/natsgo_suite
gateway=${GATEWAY:-$repo/bazel-bin/gateway/gateway}
reference=${NATS_SERVER:-$(command -v nats-server || true)}
natsgo=${NATSGO:-/usr/share/gocode/src/github.com/nats-io/nats.go}
servers=${SERVERS:-reference ours}
timeout_s=${TIMEOUT:-120}
jobs=${JOBS:-2}
out=${OUT:-/tmp/natsgo_suite}
filter=${1:-.}

# Files that compile with the shim: the JetStream, KV and object store tests
# of the `test` package and the package-internal JetStream and KV tests.
test_files=(helper_test.go js_test.go kv_test.go object_test.go)
root_files=(js_test.go kv_test.go)

mkdir -p "$out"
gopath=$(mktemp -d -t natsgo_suite.XXXXXX)
trap 'rm -rf "$gopath"' EXIT
dst=$gopath/src/github.com/nats-io
mkdir -p "$dst/nats-server/v2" "$dst/nats.go/test"
cp -r "$here/shim/server" "$here/shim/test" "$dst/nats-server/v2/"
for f in "$natsgo"/*.go; do [[ $f == *_test.go ]] || cp "$f" "$dst/nats.go/"; done
cp -r "$natsgo/util" "$dst/nats.go/"
for f in "${root_files[@]}"; do cp "$natsgo/$f" "$dst/nats.go/"; done
for f in "${test_files[@]}"; do cp "$natsgo/test/$f" "$dst/nats.go/test/"; done
version=$(sed -n 's/^\s*Version\s*=\s*"\(.*\)"/\1/p' "$natsgo/nats.go" | head -1)
echo "== nats.go $version: ${test_files[*]} (test/), ${root_files[*]} (package nats)"
build() {
  (cd "$1" && GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" \
    GOCACHE="${GOCACHE:-$out/gocache}" go test -c -o "$2" .) >"$out/build.log" 2>&1 ||
    { echo "build failed: see $out/build.log"; exit 1; }
}
build "$dst/nats.go/test" "$out/test.test"
build "$dst/nats.go" "$out/nats.test"

: >"$out/tests.tsv"
for pkg in test nats; do
  "$out/$pkg.test" -test.list "$filter" | grep '^Test' | sed "s/^/$pkg\t/" >>"$out/tests.tsv" || true
done

# Each test runs in a fresh network namespace with loopback up, since some
# start servers on the fixed port 4222; without namespaces, JOBS=1 and one
# server at a time avoid clashes.
if unshare -n true 2>/dev/null; then
  in_netns() { unshare -n sh -c 'ip link set lo up && exec "$@"' _ "$@"; }
else
  echo "warning: no network namespaces; tests using port 4222 may clash"
  in_netns() { "$@"; }
fi

# run_one LABEL EXE KIND PKG NAME: one test, one result line.
run_one() {
  local label=$1 exe=$2 kind=$3 pkg=$4 name=$5
  local dir=$out/$label log=$out/$label/logs/$pkg.$name.log start=$SECONDS rc=0 verdict
  mkdir -p "$dir/tmp/$name"
  (cd "$natsgo/$([[ $pkg == test ]] && echo test || echo .)" &&
    NATSGO_SUITE_SERVER=$exe NATSGO_SUITE_KIND=$kind TMPDIR=$dir/tmp/$name \
      in_netns timeout -k 5 "$((timeout_s + 10))" "$out/$pkg.test" -test.run "^$name\$" \
      -test.v -test.timeout "${timeout_s}s") >"$log" 2>&1 || rc=$?
  if grep -q '^NATSGO_SUITE_NA:' "$log"; then
    verdict=n/a
  elif grep -q "^--- SKIP: $name " "$log"; then
    verdict=skip
  elif [[ $rc -eq 0 ]] && grep -q "^--- PASS: $name " "$log"; then
    verdict=PASS
  elif [[ $rc -eq 124 || $rc -eq 137 ]] || grep -q '^panic: test timed out' "$log"; then
    verdict=TIMEOUT
  else
    verdict=FAIL
  fi
  rm -rf "$dir/tmp/$name"
  printf '%s\t%s\t%s\t%s\n' "$pkg" "$name" "$verdict" "$((SECONDS - start))"
}
export -f run_one in_netns
export out natsgo timeout_s

pids=()
for s in $servers; do
  case $s in
    reference) exe=$reference kind=reference ;;
    ours) exe=$gateway kind=ours ;;
    *) echo "unknown server $s"; exit 2 ;;
  esac
  [[ -x $exe ]] || { echo "$s: no executable $exe"; exit 1; }
  echo "== $s: $("$exe" -v 2>&1 | head -1) ($exe), logs in $out/$s/logs"
  rm -rf "${out:?}/$s"
  mkdir -p "$out/$s/logs"
  (awk -F'\t' -v l="$s" -v e="$exe" -v k="$kind" '{ print l "\t" e "\t" k "\t" $1 "\t" $2 }' \
    "$out/tests.tsv" |
    xargs -d '\n' -P "$jobs" -I{} bash -c 'IFS=$'"'"'\t'"'"' read -r a b c d e <<<"$1"; run_one "$a" "$b" "$c" "$d" "$e"' _ {} \
    >"$out/$s/results.tsv") &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

reason() { # first failure line of a test's log
  grep -m1 -E '_test\.go:[0-9]+: |^panic: ' "$out/$1/logs/$2.$3.log" 2>/dev/null |
    sed 's/^[[:space:]]*//' | cut -c1-160
}

echo
printf '%-8s' package
for s in $servers; do printf '%26s' " $s pass/run (n/a,skip)"; done
echo
for g in test nats total; do
  printf '%-8s' "$g"
  for s in $servers; do
    awk -F'\t' -v g="$g" '(g == "total" || $1 == g) {
        if ($3 == "n/a" || $3 == "skip") na++; else { n++; if ($3 == "PASS") p++ } }
      END { printf "%26s", (p + 0) "/" (n + 0) " (" (na + 0) ")" }' "$out/$s/results.tsv"
  done
  echo
done
if [[ " $servers " == *" reference "* && " $servers " == *" ours "* ]]; then
  for pair in "reference ours" "ours reference"; do
    read -r a b <<<"$pair"
    echo
    echo "passing with $a, not with $b:"
    awk -F'\t' 'NR == FNR { if ($3 == "PASS") ok[$1 "\t" $2] = 1; next }
      ($1 "\t" $2 in ok) && $3 != "PASS" { print $1 "\t" $2 "\t" $3 }' \
      "$out/$a/results.tsv" "$out/$b/results.tsv" | sort |
      while IFS=$'\t' read -r pkg name verdict; do
        printf '  %s.%s\t%s\t%s\n' "$pkg" "$name" "$verdict" "$(reason "$b" "$pkg" "$name")"
      done
  done
fi
