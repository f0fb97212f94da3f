#!/usr/bin/env bash
# test.sh: installs what the tests need, then runs all of them — lint, unit,
# privileged (root: namespaces, cgroups, netlink, overlay, nftables) and
# end-to-end (the built binary on real compose files). As root every tier
# runs; otherwise the privileged tests are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

PATH=$(scripts/deps.sh | tail -n 1):$PATH
export PATH

echo "== lint"
go vet -tags seccomp ./...
golangci-lint run --build-tags seccomp ./...

echo "== tests"
if [ "$(id -u)" = 0 ]; then export BERTH_TEST_ROOT=1; fi
go test -tags seccomp -count=1 -timeout 60m "$@" ./...
