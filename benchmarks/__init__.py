"""Arrival Atlas benchmark: ``python -m benchmarks`` (``--help`` for options).

Measures, for every map page (overview, routes, camps, cities, cifal), on the real data
and on synthetic scale-ups (the real incidents replicated 10× and 100× with jittered
positions and dates, labelled synthetic):

- the map payload sent to the browser (bytes of ``geo.maps.map_html``),
- Python time per rerun (the page's view ``build`` with ``direct_query``: queries plus
  map build), p50 and p95 over at least 20 reruns with varied filters,
- the page's DuckDB queries alone, p50 and p95 (every call of ``q`` timed),
- first paint in headless Chromium, offline (navigation to the map's features drawn),

and the same figures for the baseline most public Missing Migrants dashboards use (one
folium marker with a popup per incident). It prints a table marking each figure
against the targets of ``../shared/DESIGN.md`` (Performance budget) and writes
``benchmarks/results/latest.json`` (git-ignored).

It also runs the hall test (:mod:`benchmarks.hall`, issue 19): 200 protocol-level
viewers (:mod:`benchmarks.stclient`) opening a briefing's link and then one map page
within 60 s, on one server and on 2 and 3 replicas behind nginx, with the server CPU
per view, and the same on today's code (a ``git worktree`` of
:data:`benchmarks.hall.BASE_COMMIT`).

Modules: :mod:`benchmarks.run` (orchestration), :mod:`benchmarks.pages` (Python
figures), :mod:`benchmarks.paint` (browser), :mod:`benchmarks.baseline`,
:mod:`benchmarks.synth` (scale-ups), :mod:`benchmarks.report` (targets, table),
:mod:`benchmarks.machine`.
"""
