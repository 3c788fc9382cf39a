#!/usr/bin/env bash
# Set up and start the dashboard on http://localhost:8501 (extra arguments go to
# `streamlit run`).
#
# Data, the first that applies: $ATLAS_SOURCES; the offline mirror ../shared/data; else
# data/sources. When the database ($ATLAS_DB, default data/atlas.duckdb) is missing it
# is built, after downloading the sources from the publishers (`python -m geo fetch`,
# with progress) unless they come from a mirror or a non-empty $ATLAS_SOURCES. With no
# mirror and no network it says what is missing and how to get it, and exits 1: the
# dashboard is not started with nothing to show.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

say() { echo "run: $*" >&2; }
has_files() { [[ -d "$1" && -n "$(ls -A "$1" 2>/dev/null)" ]]; }

export ATLAS_DB="${ATLAS_DB:-$PWD/data/atlas.duckdb}"
download=0  # whether the sources folder is ours to fill from the publishers
if [[ -z "${ATLAS_SOURCES:-}" ]]; then
    mirror="$(cd .. && pwd)/shared/data"
    if has_files "$mirror"; then
        ATLAS_SOURCES=$mirror
    else
        # The app reads the same default (geo/settings.py), so a later reload finds it.
        ATLAS_SOURCES=$PWD/data/sources
        download=1
    fi
elif ! has_files "$ATLAS_SOURCES"; then
    download=1
fi
export ATLAS_SOURCES

build=1
if [[ -f "$ATLAS_DB" ]]; then
    code=0
    .venv/bin/python -m geo.dbfile "$ATLAS_DB" || code=$?
    if [[ $code == 0 ]]; then
        build=0
        say "database $ATLAS_DB (delete it to rebuild from $ATLAS_SOURCES)"
    elif [[ $code == 3 ]]; then
        say "the database was built by an older version of Arrival Atlas: rebuilding it"
    else
        say "the database cannot be used (the line above says why); fix or delete it and run again"
        exit 1
    fi
fi
if [[ $build == 1 ]]; then
    if [[ $download == 1 ]]; then
        # Also when an earlier download left files: no database means the last run did
        # not finish, so fetch again (each file is replaced only by a complete one).
        say "no database and no mirror: downloading the sources from the publishers into $ATLAS_SOURCES"
        code=0
        .venv/bin/python -m geo fetch --to "$ATLAS_SOURCES" || code=$?
        if [[ $code == 130 ]]; then
            exit 130
        elif [[ $code == 1 ]]; then
            say "some files could not be downloaded (listed above); building from the rest"
        elif [[ $code != 0 ]] && has_files "$ATLAS_SOURCES"; then
            say "no download; building from the files an earlier download left in $ATLAS_SOURCES"
        elif [[ $code != 0 ]]; then
            echo >&2
            .venv/bin/python -m geo.firstrun --sources "$ATLAS_SOURCES" --db "$ATLAS_DB"
            exit 1
        fi
    fi
    say "building the database $ATLAS_DB from $ATLAS_SOURCES"
    if ! .venv/bin/python -m geo build --sources "$ATLAS_SOURCES" --db "$ATLAS_DB"; then
        say "the database could not be built (the line above says why); fix it and run again"
        exit 1
    fi
fi
say "starting the dashboard: streamlit run app.py (Ctrl+C stops it)"
exec .venv/bin/streamlit run app.py "$@"
