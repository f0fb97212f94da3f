#!/usr/bin/env bash
# example.sh: builds berth, imports a busybox image (from Debian's
# busybox-static: no registry needed) and brings up the example stack in
# examples/hello — a web page, an API and a data store, started in
# dependency order once each is healthy — then shows it answering.
set -euo pipefail
cd "$(dirname "$0")/.."

PATH=$(scripts/deps.sh | tail -n 1):$PATH
export PATH

scripts/build.sh bin/berth
berth=bin/berth
compose=(-f examples/hello/compose.yaml)

tar=$(mktemp --suffix=.tar)
trap 'rm -f "$tar"' EXIT
scripts/busybox-rootfs.sh "$tar"
$berth image import "$tar" berth.local/busybox:latest \
  --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' >/dev/null

$berth "${compose[@]}" up -d --wait --wait-timeout 60
echo
$berth "${compose[@]}" ps
echo
echo "== GET http://127.0.0.1:8080/"
curl -fsS http://127.0.0.1:8080/
echo "== GET http://127.0.0.1:8080/cgi-bin/api (web -> api -> store, by name)"
curl -fsS http://127.0.0.1:8080/cgi-bin/api
echo
echo "The stack is up. Logs: $berth ${compose[*]} logs -f   Take it down: $berth ${compose[*]} down"
