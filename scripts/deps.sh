#!/usr/bin/env bash
# deps.sh: installs what building and testing berth needs, idempotently, on
# a Debian machine where we are root. Prints the directory of the Go
# toolchain to use on its last line (callers put it first on PATH).
set -euo pipefail

GO_VERSION=1.26.8
GOLANGCI_LINT_VERSION=v2.15.0
APT_PACKAGES=(gcc libc6-dev pkg-config libseccomp-dev busybox-static iproute2 nftables iptables runc hyperfine curl util-linux)

log() { echo "deps: $*" >&2; }

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then log "missing packages ${missing[*]} and not root"; return 1; fi
  log "installing ${missing[*]}"
  # apt-get fails on some machines when /tmp is not writable as it expects.
  local tmp=/var/tmp/berth-apt; mkdir -p "$tmp"
  TMPDIR=$tmp apt-get update -qq >&2
  TMPDIR=$tmp DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

# go_bin finds a Go toolchain of at least GO_VERSION: the one on PATH, the
# one in /usr/local/go, or else Debian's (too old to build berth) used only
# to fetch the right one from the Go module proxy, where every release is
# published as the module golang.org/toolchain.
go_bin() {
  for go in "$(command -v go || true)" /usr/local/go/bin/go; do
    [ -x "$go" ] || continue
    if "$go" version | grep -qE "go1\.(2[6-9]|[3-9][0-9])"; then dirname "$go"; return 0; fi
  done
  apt_install golang-go ca-certificates
  local mod=/var/tmp/berth-toolchain; mkdir -p "$mod"
  local dir
  dir=$(cd "$mod" && GOFLAGS=-mod=mod GOPATH=$mod/gopath /usr/lib/go/bin/go mod download -json \
        "golang.org/toolchain@v0.0.1-go${GO_VERSION}.linux-amd64" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  chmod +x "$dir"/bin/* "$dir"/pkg/tool/*/* 2>/dev/null || true
  echo "$dir/bin"
}

apt_install "${APT_PACKAGES[@]}"
GOBINDIR=$(go_bin)
export PATH=$GOBINDIR:$PATH
GOPATH_BIN=$(go env GOPATH)/bin
if ! "$GOPATH_BIN/golangci-lint" version 2>/dev/null | grep -q "${GOLANGCI_LINT_VERSION#v}"; then
  log "installing golangci-lint $GOLANGCI_LINT_VERSION"
  go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION" >&2
fi
echo "$GOBINDIR:$GOPATH_BIN"
