#!/bin/bash
# Runs as root in a chroot of this image's rootfs, from a copy of this folder; the ENV
# lines of ./config are already set. Debian bookworm ships PostgreSQL 15 only (16 is in
# neither bookworm-backports nor any reachable repository); keep PATH in ./config in step.
set -euo pipefail

# The package would otherwise create a "main" cluster at install time.
mkdir -p /etc/postgresql-common/createcluster.d
echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/grader.conf
apt-get install -y --no-install-recommends postgresql-15

# The package makes a system user with whatever uid is free; sandboxes run with a fixed
# `--user 10001`, so postgres gets that uid (and keeps everything it already owned).
old_uid=$(id -u postgres) old_gid=$(id -g postgres)
usermod -u 10001 postgres
groupmod -g 10001 postgres
find / -xdev -uid "$old_uid" -exec chown -h 10001 {} +
find / -xdev -gid "$old_gid" -exec chgrp -h 10001 {} +

# psql and libpq look for the socket in /run/postgresql; pointing that into /tmp keeps
# `docker exec ... psql` working on a read-only root with a /tmp tmpfs.
rm -rf /run/postgresql
ln -s /tmp/postgresql /run/postgresql

install -d -o postgres -g postgres -m 700 "$PGDATA"
install -d /docker-entrypoint-initdb.d
install -m 755 docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
