#!/bin/bash
# Runs as root in a chroot of this image's rootfs, from a copy of this folder; the ENV
# lines of ./config are already set. Bookworm ships Python 3.11.
set -euo pipefail

# python and pip on PATH as in the official image; venv so `python -m venv` works; curl
# because the official (non-slim) image has it and HEALTHCHECKs use it; pytest so a
# requirements.txt naming it is "already satisfied" with no network (builds have none).
apt-get install -y --no-install-recommends \
	python3 python-is-python3 python3-pip python3-venv python3-pytest \
	curl ca-certificates passwd adduser

# The official image's Python is its own, in /usr/local, with no PEP 668 marker: `pip
# install` there works as root without --break-system-packages. Debian's has the marker.
rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED
# pip as a command, as the official image has it (python3-pip installs pip3 and pip).
command -v pip >/dev/null || ln -s pip3 /usr/bin/pip

# Byte-compiled now, so the first import in a container is fast and writes nothing.
python3 -m compileall -q /usr/lib/python3/dist-packages >/dev/null 2>&1 || true

# What the official image answers.
python --version
pip --version
test ! -e /usr/lib/python3.11/EXTERNALLY-MANAGED
