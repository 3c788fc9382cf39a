#!/usr/bin/env bash
# Set up everything (packages, chromium) and run the whole test suite.
# The tests read the real datasets from $ATLAS_SOURCES (default: ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export ATLAS_SOURCES="${ATLAS_SOURCES:-$(cd .. && pwd)/shared/data}"
# Two workers, one test file each at a time: the browser journeys spend much of their
# time waiting on the page, so the suite takes about 7 minutes instead of 13.
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
