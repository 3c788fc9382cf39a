"""Briefing: a presenter layout stepping through saved views (data/briefings/*.toml)."""

import html

import streamlit as st
import streamlit.components.v1 as components

from geo import cache
from geo.briefing import BriefingError, briefing_pdf, briefings, render_slide
from geo.exports import export_name
from pages._ui import require_app_navigation, show_map

require_app_navigation()

# Presenter styling: large type, little chrome, the map as big as the screen allows.
st.markdown(
    """<style>
    h1.atlas-headline {font-size: 2.6rem; font-weight: 700; line-height: 1.15; margin: 0 0 .3rem 0; padding: 0;}
    h1.atlas-headline a {display: none;}
    [data-testid="stMarkdownContainer"] p.atlas-caption {font-size: 1.35rem; color: #444; margin-bottom: .6rem;}
    .atlas-count {font-size: 1.1rem; color: #666; text-align: center; padding-top: .45rem;}
    [data-testid="stMainBlockContainer"] {padding-top: 2.2rem;}
    </style>""",
    unsafe_allow_html=True,
)

try:
    available = briefings()
except BriefingError as exc:
    st.error(f"A briefing file could not be read: {exc}")
    st.stop()
if not available:
    st.info("No briefing in data/briefings/. Add a TOML file there (see the shipped example).")
    st.stop()

keys = [b.key for b in available]
qp = st.query_params
notes = []
key = qp.get("b", keys[0])
if key not in keys:
    notes.append(f"briefing {key!r} not found")
    key = keys[0]
b = available[keys.index(key)]
total = len(b.slides)
try:
    n = int(qp.get("slide", "1"))
except ValueError:
    n = 0
if not 1 <= n <= total:
    notes.append(f"slide {qp.get('slide')!r} is not between 1 and {total}")
    n = 1
wanted = {"b": key, "slide": str(n)}
if {k: qp.get(k) for k in wanted} != wanted:
    qp.update(wanted)
if notes:
    st.info(
        "The link was not fully understood: " + "; ".join(notes) + ".", icon=":material/link_off:"
    )


def _go(to: int) -> None:
    st.query_params["slide"] = str(to)
    for k in ("lat", "lon", "z", "layers"):
        if k in st.query_params:
            del st.query_params[k]


top = st.columns([5, 1])
if len(available) > 1:
    choice = top[0].selectbox(
        "Briefing",
        keys,
        index=keys.index(key),
        format_func=lambda k: available[keys.index(k)].title,
    )
    if choice != key:
        st.query_params.update({"b": choice, "slide": "1"})
        st.rerun()
else:
    top[0].caption(f"Briefing: **{b.title}**. Use ← and → (or the buttons) to move between slides.")

try:
    rs = render_slide(b, n, cache.query, cache.basemap())
except BriefingError as exc:
    st.error(str(exc))
    st.stop()

st.markdown(f'<h1 class="atlas-headline">{html.escape(rs.headline)}</h1>', unsafe_allow_html=True)
st.markdown(f'<p class="atlas-caption">{html.escape(rs.caption)}</p>', unsafe_allow_html=True)

nav = st.columns([1, 1, 6, 2])
nav[0].button(
    "Previous",
    icon=":material/arrow_back:",
    disabled=n <= 1,
    on_click=_go,
    args=(n - 1,),
    key="prev",
)
nav[1].button(
    "Next",
    icon=":material/arrow_forward:",
    disabled=n >= total,
    on_click=_go,
    args=(n + 1,),
    key="next",
)
nav[2].markdown(f'<div class="atlas-count">Slide {n} of {total}</div>', unsafe_allow_html=True)
nav[3].download_button(
    "Whole briefing as PDF",
    lambda: briefing_pdf(b, cache.query, cache.basemap()),
    export_name(b.title, "pdf"),
    "application/pdf",
    icon=":material/picture_as_pdf:",
    on_click="ignore",
    help="One page per slide, for a projector laptop with no app (takes a few seconds).",
)

show_map(rs.page.map, key=f"briefing_{b.key}_{n}", height=620)
st.caption(f"{rs.page.subtitle}. Source: {rs.page.citation} ({rs.page.licence}).")

# Arrow keys and Page Up/Down move between slides (outside the map, where Leaflet
# uses the arrows to pan).
components.html(
    """<script>
    const doc = window.parent.document;
    if (!doc.__atlasKeys) {
        doc.__atlasKeys = true;
        doc.addEventListener('keydown', (e) => {
            const t = e.target && e.target.tagName;
            if (t === 'INPUT' || t === 'TEXTAREA' || t === 'SELECT') { return; }
            const next = e.key === 'ArrowRight' || e.key === 'PageDown';
            const prev = e.key === 'ArrowLeft' || e.key === 'PageUp';
            if (!next && !prev) { return; }
            const label = next ? 'Next' : 'Previous';
            const btn = [...doc.querySelectorAll('button')].find(b => b.innerText.trim().endsWith(label));
            if (btn && !btn.disabled) { e.preventDefault(); btn.click(); }
        });
    }
    </script>""",
    height=0,
)
