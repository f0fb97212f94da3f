#!/usr/bin/env bash
# build.sh OUT: builds the berth binary to OUT. Static, so that the same
# binary can run inside containers as their reaping PID 1 (compose's
# `init: true`: berth bind-mounts itself as /sbin/berth-init), with
# Docker's seccomp profile (libseccomp, linked in) and Go's own resolver and
# user lookup (glibc's cannot be linked statically).
set -euo pipefail
cd "$(dirname "$0")/.."
go build -tags 'seccomp netgo osusergo' -ldflags '-linkmode external -extldflags -static' -o "$1" ./cmd/berth
