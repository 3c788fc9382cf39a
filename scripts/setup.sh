#!/usr/bin/env bash
# Set up Arrival Atlas on a fresh machine: a virtualenv with the pinned packages, the
# Leaflet files the maps load offline, and (with --browser) Debian's chromium for the
# browser tests. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[[ "${1:-}" == "--browser" ]] && want_browser=1

if [[ $want_browser == 1 ]] && ! command -v chromium >/dev/null 2>&1; then
    if [[ $(id -u) == 0 ]]; then
        echo "setup: installing Debian's chromium and fonts for the browser tests"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core fonts-liberation >/dev/null
    elif command -v sudo >/dev/null 2>&1; then
        sudo apt-get update -qq
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core fonts-liberation >/dev/null
    else
        echo "setup: chromium is missing and I cannot install it (not root, no sudo); browser tests will fail" >&2
    fi
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
    echo "setup: creating .venv with $($PY --version)"
    "$PY" -m venv .venv
fi
if ! .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt; then
    echo "setup: pip install failed (see above)" >&2
    exit 1
fi
.venv/bin/python -m geo.assets
