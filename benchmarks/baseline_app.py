"""The baseline as a Streamlit page (for its first paint in the browser): the
marker-per-incident map of :mod:`benchmarks.baseline`, built on every run and shown
with ``st_folium`` exactly as the Atlas pages show theirs.

Run by :mod:`benchmarks.paint` as ``streamlit run benchmarks/baseline_app.py`` with
``ATLAS_DB`` set; not part of the dashboard.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from benchmarks.baseline import baseline_map  # noqa: E402

st.set_page_config(page_title="Baseline: one marker per incident", layout="wide")
st.title("Baseline: one folium marker per incident")
con = duckdb.connect(os.environ["ATLAS_DB"], read_only=True)
try:
    m = baseline_map(con)
finally:
    con.close()
st_folium(m, height=560, use_container_width=True, returned_objects=[])
