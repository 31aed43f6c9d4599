#!/bin/bash
# Runs `-t -c FILE` (check the configuration and exit) of nats-server and of
# the gateway over configuration files and prints, per file, whether each
# accepts it, with the first error line.
#
#   compare.sh [--check] GATEWAY [NATS_SERVER] [FILE_OR_DIR...]
#
# Without files: this directory's accepted/ and refused/ configs. In them
# @CERTS@ becomes a directory holding a fresh CA and server certificate
# (server.pem, server-key.pem, ca.pem) and @TMP@ a scratch directory; such a
# config runs from a copy, its directory's other files (*.inc, for include)
# copied beside it. Other files run in place, from their own directory.
# NATS_SERVER may be "-" (or missing from the machine): only the gateway runs.
# With --check the exit status is 1 unless the gateway accepts every file under
# accepted/ and refuses every file under refused/ with a line-numbered
# "not supported" error. Any directory of nats-server configs (e.g. a
# nats-server checkout's server/configs) can be given as FILE_OR_DIR to list
# what nats-server accepts and the gateway refuses.
set -u
check=0
if [[ "${1:-}" == "--check" ]]; then
  check=1
  shift
fi
gateway="${1:?usage: compare.sh [--check] GATEWAY [NATS_SERVER] [FILE_OR_DIR...]}"
shift
nats="${1:-/usr/sbin/nats-server}"
[[ $# -gt 0 ]] && shift
[[ "$nats" != "-" && ! -x "$nats" ]] && nats="-"
gateway="$(realpath "$gateway")"
[[ "$nats" != "-" ]] && nats="$(realpath "$nats")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
inputs=("$@")
[[ ${#inputs[@]} -eq 0 ]] && inputs=("$here/accepted" "$here/refused")

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
certs="$work/certs"
mkdir -p "$certs" "$work/tmp"
(
  cd "$certs" &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=compat-ca" \
      -keyout ca-key.pem -out ca.pem &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
      -keyout server-key.pem -out server.csr &&
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >ext.cnf &&
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
      -days 2 -extfile ext.cnf -out server.pem
) >/dev/null 2>&1 || { echo "openssl failed" >&2; exit 2; }
export COMPAT_SERVER_NAME=compat_env

files=()
for input in "${inputs[@]}"; do
  if [[ -d "$input" ]]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$input" -name '*.conf' | sort)
  else
    files+=("$input")
  fi
done

# Prints "ok" or the first error line of `$1 -t -c $2`.
verdict() {
  local out
  out="$(cd "$(dirname "$2")" && timeout 20 "$1" -t -c "$2" 2>&1 </dev/null)"
  if [[ $? -eq 0 ]]; then
    echo "ok"
  else
    echo "REFUSED: $(echo "$out" | grep -v '^\s*$' | grep -iv 'usage' | tail -1)"
  fi
}

failures=0
n=0
for f in "${files[@]}"; do
  n=$((n + 1))
  dir="$work/cfg$n"
  mkdir -p "$dir"
  for extra in "$(dirname "$f")"/*; do
    [[ -f "$extra" && "$extra" != *.conf ]] && cp "$extra" "$dir/"
  done
  copy="$dir/$(basename "$f")"
  sed -e "s|@CERTS@|$certs|g" -e "s|@TMP@|$work/tmp|g" "$f" >"$copy"
  # Files without placeholders run in place, so their relative paths
  # (certificates, includes) resolve as their authors meant.
  cmp -s "$f" "$copy" && copy="$(realpath "$f")"
  ours="$(verdict "$gateway" "$copy")"
  theirs="-"
  [[ "$nats" != "-" ]] && theirs="$(verdict "$nats" "$copy")"
  label="$(basename "$(dirname "$f")")/$(basename "$f")"
  printf '%s\n  nats-server: %s\n  gateway:     %s\n' "$label" "$theirs" "$ours"
  if [[ $check -eq 1 ]]; then
    case "$label" in
      accepted/*)
        if [[ "$ours" != ok ]]; then
          echo "  FAIL: the gateway refuses a config it should accept"
          failures=$((failures + 1))
        fi
        ;;
      refused/*)
        if [[ "$ours" == ok || "$ours" != *"config line "*"not supported"* ]]; then
          echo "  FAIL: the gateway should refuse this with a line-numbered \"not supported\" error"
          failures=$((failures + 1))
        fi
        ;;
    esac
  fi
done
[[ $check -eq 1 && $failures -gt 0 ]] && { echo "$failures failure(s)"; exit 1; }
exit 0
