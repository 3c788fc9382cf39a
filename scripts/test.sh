#!/usr/bin/env bash
# Set up everything (packages, chromium) and run the whole test suite.
# The tests read the real datasets from $ATLAS_SOURCES (default: ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export ATLAS_SOURCES="${ATLAS_SOURCES:-$(cd .. && pwd)/shared/data}"
# Three workers on the 2 cores, one test file each at a time: the browser tests spend
# much of their time waiting on a page, and two workers kept the cores about 55 % busy
# (634 s for the suite on 2026-11-27; 561 s with three).
exec .venv/bin/python -m pytest -n 3 --dist loadfile --durations=15 "$@"
