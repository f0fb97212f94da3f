#!/usr/bin/env bash
# build.sh OUT: builds the berth binary to OUT. Static, so that the same
# binary can run inside containers as their reaping PID 1 (compose's
# `init: true`: berth bind-mounts itself as /sbin/berth-init), with
# Docker's seccomp profile (libseccomp, linked in) and Go's own resolver and
# user lookup (glibc's cannot be linked statically).
#
# berth carries a second, slim binary inside it: cmd/berth-runtime, which
# every container's monitor, create helper and init run from (a sealed
# memfd the daemon makes from it). It is built first, beside the file that
# embeds it, under a name of its own so that concurrent builds never embed
# a half-written one.
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(-tags 'seccomp netgo osusergo' -ldflags '-linkmode external -extldflags -static')
rt=cmd/berth/berth-runtime
tmp=$(mktemp "$rt.XXXXXX")
trap 'rm -f "$tmp"' EXIT
go build "${flags[@]}" -o "$tmp" ./cmd/berth-runtime
mv -f "$tmp" "$rt"
go build "${flags[@]/seccomp netgo osusergo/seccomp netgo osusergo embedruntime}" -o "$1" ./cmd/berth
