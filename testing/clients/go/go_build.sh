#!/bin/bash
# Builds a Go command offline, in GOPATH mode, against Debian's Go packages
# (/usr/share/gocode: nats.go and what it needs). Used by the genrules in
# this package; the Go caches live in a temporary directory.
#
#   go_build.sh OUTPUT main.go [more .go files of the same package]
set -euo pipefail
out="$(realpath -m "$1")"
shift
work="$(mktemp -d)"
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
mkdir -p "$work/src/cmd"
cp "$@" "$work/src/cmd/"
cd "$work/src/cmd"
GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOCACHE="$work/cache" \
  GOENV=off GOTOOLCHAIN=local HOME="$work" CGO_ENABLED=0 go build -o "$out" .
