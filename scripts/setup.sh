#!/usr/bin/env bash
# Set up Arrival Atlas on a fresh machine: a virtualenv with the pinned packages, the
# Leaflet files the maps load offline, and (with --browser) Debian's chromium for the
# browser tests and Debian's nginx for the deployment test (tests/test_deploy.py).
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[[ "${1:-}" == "--browser" ]] && want_browser=1

# nginx is only run by the tests, as the current user (never as a service).
missing=()
if [[ $want_browser == 1 ]]; then
    command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core fonts-liberation)
    command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
fi
if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ $(id -u) == 0 ]]; then
        echo "setup: installing Debian's ${missing[*]} for the browser tests"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    elif command -v sudo >/dev/null 2>&1; then
        sudo apt-get update -qq
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "setup: ${missing[*]} missing and I cannot install them (not root, no sudo); browser tests will fail" >&2
    fi
    # Debian starts the nginx it installs as a service on port 80; the tests need none.
    if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null 2>&1 \
        && systemctl is-active --quiet nginx 2>/dev/null; then
        [[ $(id -u) == 0 ]] && sudo_="" || sudo_=sudo
        $sudo_ systemctl disable --now nginx >/dev/null 2>&1 || true
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
# The French and Spanish catalogues, compiled from the committed .po files (never committed).
.venv/bin/python scripts/i18n.py compile
# axe-core for the accessibility test (tests/test_browser_a11y.py): the pinned npm
# tarball, checked against its sha512, fetched with Python (no Node needed).
if [[ $want_browser == 1 ]]; then
    .venv/bin/python scripts/axe_core.py
fi
