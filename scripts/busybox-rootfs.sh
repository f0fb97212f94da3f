#!/usr/bin/env bash
# busybox-rootfs.sh OUT.tar: writes a root filesystem tarball of Debian's
# static busybox (every applet linked, root and nobody users, /tmp 1777),
# the same one the Docker peer imports, for `berth image import`.
set -euo pipefail
out=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,var/www}
cp /bin/busybox "$root/bin/busybox"
chroot "$root" /bin/busybox --install -s
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"
tar -C "$root" -cf "$out" .
