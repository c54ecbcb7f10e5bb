#!/bin/bash
# Runs as root in a chroot of a bookworm rootfs, from a copy of this folder. It assembles
# the distroless image's own root in /distroless (the build script imports that folder, not
# the chroot): the files of gcr.io/distroless/static-debian12, from bookworm's packages.
set -euo pipefail
apt-get install -y --no-install-recommends ca-certificates tzdata netbase media-types

out=/distroless
rm -rf "$out"
mkdir -p "$out"/{etc/ssl/certs,usr/share,home/nonroot,root,tmp,var/lib/dpkg/status.d,bin,sbin,usr/bin,usr/sbin}
chmod 1777 "$out/tmp"
chmod 700 "$out/root"
cat >"$out/etc/passwd" <<'PW'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
PW
cat >"$out/etc/group" <<'GR'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
GR
chown 65532:65532 "$out/home/nonroot"
cp /etc/ssl/certs/ca-certificates.crt "$out/etc/ssl/certs/"
cp -a /usr/share/zoneinfo "$out/usr/share/"
cp /etc/services /etc/protocols /etc/mime.types "$out/etc/"
cp /etc/os-release "$out/etc/os-release"
printf 'hosts: files dns\n' >"$out/etc/nsswitch.conf"
: >"$out/etc/hosts"
: >"$out/etc/resolv.conf"
for p in ca-certificates tzdata netbase media-types base-files; do
	dpkg -s "$p" >"$out/var/lib/dpkg/status.d/$p"
done

# What the real image answers: no shell, no libc.
test ! -e "$out/bin/sh" && test -z "$(find "$out" -name 'libc.so*')"
du -sh "$out"
