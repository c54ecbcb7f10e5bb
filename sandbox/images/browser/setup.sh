#!/bin/bash
# Runs as root in a chroot of this image's rootfs, from a copy of this folder; the ENV
# lines of ./config are already set. Bookworm's chromium follows Chrome's stable releases
# through bookworm-security.
set -euo pipefail

# chromium: the browser, run headless. socat: the DevTools forwarder (see browser-start).
# Its recommended packages (fonts, drivers for a GPU and a desktop) are left out: a
# headless browser that renders a learner's page needs none of them.
apt-get install -y --no-install-recommends chromium socat

# Sandboxes run with a fixed `--user 10001`: the image's own unprivileged user.
useradd --uid 10001 --user-group --home-dir /tmp --no-create-home --shell /usr/sbin/nologin browser

install -m 755 browser-start /usr/local/bin/browser-start
# The real binary, not Debian's wrapper script, which reads /etc/chromium.d and a
# ~/.config file on every start.
test -x /usr/lib/chromium/chromium
