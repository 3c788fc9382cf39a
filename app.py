"""Arrival Atlas: page configuration and navigation only."""

from pathlib import Path

import streamlit as st

from geo.assets import ensure_static

st.set_page_config(
    page_title="Arrival Atlas",
    page_icon=str(Path(__file__).parent / "data" / "icon.png"),  # local: no font CDN offline
    layout="wide",
    initial_sidebar_state="auto",  # open on a desktop, closed on a phone (it would cover the page)
)
# On a phone Streamlit stacks columns one to a row, so a page's five headline figures
# would fill the first screen: there they go two to a row (a style only, no element).
st.html(
    "<style>@media (max-width: 640px) {"
    "[data-testid='stHorizontalBlock']:has(> [data-testid='stColumn'] [data-testid='stMetric'])"
    "{flex-wrap:wrap;row-gap:0.25rem}"
    "[data-testid='stHorizontalBlock']:has(> [data-testid='stColumn'] [data-testid='stMetric'])"
    " > [data-testid='stColumn']{flex:1 1 calc(50% - 1rem) !important;"
    "min-width:calc(50% - 1rem) !important;width:calc(50% - 1rem) !important}"
    "[data-testid='stMetricLabel'] *{white-space:normal !important}"
    "[data-testid='stMetricValue']{font-size:1.6rem}}</style>"
)
ensure_static()  # Leaflet's files, served at /app/static/leaflet/ for offline maps

PAGES = [
    st.Page(
        "app_pages/overview.py",
        title="Overview",
        icon=":material/public:",
        url_path="overview",
        default=True,
    ),
    st.Page(
        "app_pages/routes.py", title="Deadly routes", icon=":material/route:", url_path="routes"
    ),
    st.Page(
        "app_pages/camps.py", title="Camps and sites", icon=":material/camping:", url_path="camps"
    ),
    st.Page(
        "app_pages/cities.py",
        title="Arrival cities",
        icon=":material/location_city:",
        url_path="cities",
    ),
    st.Page(
        "app_pages/cifal.py", title="CIFAL network", icon=":material/school:", url_path="cifal"
    ),
    st.Page(
        "app_pages/briefing.py", title="Briefing", icon=":material/co_present:", url_path="briefing"
    ),
    st.Page(
        "app_pages/data_sources.py",
        title="Data and sources",
        icon=":material/dataset:",
        url_path="data",
    ),
]
st.navigation(PAGES).run()
