"""Arrival Atlas: page configuration and navigation only."""

import streamlit as st

from app_pages import _keys as K
from app_pages import _server  # noqa: F401 (its import slows Streamlit's config polling)
from app_pages._a11y import PAGE_CSS, page_language
from geo import i18n
from geo.assets import ICON_URL, ensure_static
from geo.i18n import _
from geo.pages import PAGES as MAP_PAGES

st.set_page_config(
    page_title="Arrival Atlas",
    page_icon=ICON_URL,  # served by the app (static/, see ensure_static): no CDN offline
    layout="wide",
    initial_sidebar_state="auto",  # open on a desktop, closed on a phone (it would cover the page)
)
# On a phone Streamlit stacks columns one to a row, so a page's five headline figures
# would fill the first screen: there they go two to a row (a style only, no element).
# A headline's label wraps at any width rather than end in "…" ("People in them, 2025
# (2018 projection)" in a quarter of a 1440 px page); a row of headlines sits on its
# baseline, so a wrapped label does not push its figure below its neighbours'.
st.html(
    "<style>[data-testid='stMetricLabel'] *{white-space:normal !important}"
    "[data-testid='stHorizontalBlock']:has(> [data-testid='stColumn'] [data-testid='stMetric'])"
    "{align-items:flex-end}"
    "@media (max-width: 640px) {"
    "[data-testid='stHorizontalBlock']:has(> [data-testid='stColumn'] [data-testid='stMetric'])"
    "{flex-wrap:wrap;row-gap:0.25rem}"
    "[data-testid='stHorizontalBlock']:has(> [data-testid='stColumn'] [data-testid='stMetric'])"
    " > [data-testid='stColumn']{flex:1 1 calc(50% - 1rem) !important;"
    "min-width:calc(50% - 1rem) !important;width:calc(50% - 1rem) !important}"
    "[data-testid='stMetricValue']{font-size:1.6rem}}</style>"
)
st.html(PAGE_CSS)  # readable captions, 24 px date targets, focus rings, the skip link
ensure_static()  # Leaflet's files, served at /app/static/leaflet/ for offline maps

# The session's language: the link's ``lang=``, else this session's choice, else the
# browser's Accept-Language. Set for this run's thread only (geo/i18n.py): another
# session's language is never touched.
asked = st.query_params.get("lang")
if asked in i18n.LANGUAGES:
    st.session_state[K.LANG] = asked
elif K.LANG not in st.session_state:
    st.session_state[K.LANG] = i18n.negotiate(st.context.headers.get("Accept-Language"))
lang = i18n.set_language(st.session_state[K.LANG])
page_language(lang)  # <html lang> says it (Streamlit's page says English: WCAG 3.1.1)
# A shared link keeps a language other than English (English links stay as they were).
if lang != i18n.DEFAULT and asked != lang:
    st.query_params["lang"] = lang


def _choose_language() -> None:
    st.session_state[K.LANG] = st.session_state[K.LANG_PICK]
    if st.session_state[K.LANG] == i18n.DEFAULT:
        if "lang" in st.query_params:
            del st.query_params["lang"]
    else:
        st.query_params["lang"] = st.session_state[K.LANG]


st.session_state[K.LANG_PICK] = lang
st.sidebar.selectbox(
    "Language · Langue · Idioma",
    list(i18n.LANGUAGES),
    format_func=i18n.LANGUAGES.get,
    key=K.LANG_PICK,
    on_change=_choose_language,
)

# The map pages, in order, from their contracts (geo.pages): a new page needs no line
# here. The first is the default page.
PAGES = [
    st.Page(p.script, title=_(p.nav_title), icon=p.icon, url_path=p.key, default=i == 0)
    for i, p in enumerate(MAP_PAGES)
] + [
    st.Page(
        "app_pages/briefing.py",
        title=_("Briefing"),
        icon=":material/co_present:",
        url_path="briefing",
    ),
    st.Page(
        "app_pages/briefing_editor.py",
        title=_("Briefing editor"),
        icon=":material/edit_note:",
        url_path="editor",
    ),
    st.Page(
        "app_pages/data_sources.py",
        title=_("Data and sources"),
        icon=":material/dataset:",
        url_path="data",
    ),
]
st.navigation(PAGES).run()
