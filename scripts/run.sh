#!/usr/bin/env bash
# Set up and start the dashboard on http://localhost:8501.
# Data: $ATLAS_SOURCES (an offline mirror in the reference layout) or `python -m geo fetch`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export ATLAS_SOURCES="${ATLAS_SOURCES:-$(cd .. && pwd)/shared/data}"
export ATLAS_DB="${ATLAS_DB:-$PWD/data/atlas.duckdb}"
if [[ ! -f "$ATLAS_DB" && -d "$ATLAS_SOURCES" ]]; then
    .venv/bin/python -m geo build --sources "$ATLAS_SOURCES" --db "$ATLAS_DB"
fi
exec .venv/bin/streamlit run app.py "$@"
