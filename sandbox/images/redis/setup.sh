#!/bin/bash
# Runs as root in a chroot of this image's rootfs, from a copy of this folder; the ENV
# lines of ./config are already set. Bookworm ships Redis 7.0.
set -euo pipefail

apt-get install -y --no-install-recommends redis-server

# Sandboxes run with a fixed `--user 10001`: give the package's redis user that uid.
old_uid=$(id -u redis) old_gid=$(id -g redis)
usermod -u 10001 redis
groupmod -g 10001 redis
find / -xdev -uid "$old_uid" -exec chown -h 10001 {} +
find / -xdev -gid "$old_gid" -exec chgrp -h 10001 {} +

install -m 755 docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
