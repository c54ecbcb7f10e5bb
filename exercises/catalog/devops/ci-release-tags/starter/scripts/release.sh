#!/usr/bin/env bash
# Packages calc.py as dist/calc-VERSION.tar.gz. Usage: scripts/release.sh 1.2.0
# (the version without the tag's leading v).
set -euo pipefail
version="${1:-}"
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "release.sh: version '$version' is not MAJOR.MINOR.PATCH: pass the tag's name without its leading v (v1.2.0 -> 1.2.0)" >&2
  exit 1
fi
mkdir -p dist
tar -czf "dist/calc-$version.tar.gz" calc.py
echo "released dist/calc-$version.tar.gz"
