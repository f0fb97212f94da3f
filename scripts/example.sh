#!/usr/bin/env bash
# example.sh: builds berth and runs it on the example stack in
# examples/hello. berth cannot run containers yet, so this shows the stack
# as berth loads it: the normalized config, the start order and the config
# hash of every service.
set -euo pipefail
cd "$(dirname "$0")/.."

PATH=$(scripts/deps.sh | tail -n 1):$PATH
export PATH

go build -tags seccomp -o bin/berth ./cmd/berth
bin/berth version
echo "== berth config (examples/hello)"
bin/berth -f examples/hello/compose.yaml config
echo "== start order"
bin/berth -f examples/hello/compose.yaml config --services
echo "== config hashes"
bin/berth -f examples/hello/compose.yaml config --hash '*'
