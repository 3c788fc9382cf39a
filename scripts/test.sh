#!/usr/bin/env bash
# Set up everything (packages, chromium) and run the whole test suite.
# The tests read the real datasets from $ATLAS_SOURCES (default: ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export ATLAS_SOURCES="${ATLAS_SOURCES:-$(cd .. && pwd)/shared/data}"
exec .venv/bin/python -m pytest "$@"
