"""Briefing: a presenter layout stepping through saved views (data/briefings/*.toml)."""

import functools
from pathlib import Path

import streamlit as st

from app_pages import _keys as K
from app_pages._ui import (
    html_text,
    link_notes,
    md_plain,
    require_data,
    seed_widgets,
    show_map,
)
from geo import cache
from geo.briefing import BriefingError, check_briefing, read_briefings, render_slide
from geo.briefing_pdf import briefing_pdf
from geo.exports import export_name
from geo.settings import briefings_dir


@functools.cache
def presenter_js() -> str:
    """app_pages/presenter.js, read once per server (every key press reruns this page)."""
    return (Path(__file__).parent / "presenter.js").read_text(encoding="utf-8")


require_data(("incidents", "countries"))  # the shipped briefings quote MMP figures

# Presenter styling: large type, little chrome, the map as big as the screen allows.
# Type scales with the window so one layout serves a 1280 x 720 projector and a
# 1920 x 1080 screen alike.
st.markdown(
    """<style>
    h1.atlas-headline {font-size: clamp(1.5rem, 2.45vw, 3.2rem); font-weight: 700;
        line-height: 1.15; margin: 0 0 .15rem 0; padding: 0;}
    h1.atlas-headline a {display: none;}
    /* Streamlit pulls the element after a paragraph up by 1rem: margin-bottom 1rem
       leaves the caption clear of the map. */
    [data-testid="stMarkdownContainer"] p.atlas-caption {font-size: clamp(1rem, 1.4vw, 1.8rem);
        color: #444; margin: 0 0 1rem 0; line-height: 1.3;}
    [data-testid="stMarkdownContainer"] p.atlas-count {font-size: 1.05rem; color: #555;
        text-align: center; white-space: nowrap; margin: 0 0 1rem 0;}
    [data-testid="stMainBlockContainer"] {padding: 3.9rem 1.5rem .5rem 1.5rem;}
    [data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {gap: .45rem;}
    .st-key-atlas_prev button, .st-key-atlas_next button, .st-key-atlas_pdf button
        {white-space: nowrap;}
    </style>""",
    unsafe_allow_html=True,
)

# Every file is checked on each run (a file edited during a talk shows at the next key
# press): the good briefings and the good slides of a partly bad file are shown, and each
# problem once, as literal text (it quotes the file).
available, problems = read_briefings()
# Slide parameters are read against the data as a link's are: a value the page would
# ignore is a problem, never the page's default figures under the slide's headline.
problems += [
    p for b in available for found in check_briefing(b, cache.query).values() for p in found
]
if problems:
    n_problems = len(problems)
    label = f"{n_problems} problem{'s' if n_problems > 1 else ''} in the briefing files"
    with st.expander(label, expanded=not available, icon=":material/warning:"):
        st.caption(
            "A slide with a problem is left out, or says why when it is reached. "
            "Folder: " + md_plain(briefings_dir())
        )
        for p in problems:
            st.text(str(p))
if not available:
    st.info(
        "No usable briefing in " + md_plain(briefings_dir()) + ". Add a TOML file there "
        "(see the shipped example, data/briefings/deadliest-routes.toml)."
    )
    st.stop()

keys = [b.key for b in available]
qp = st.query_params
notes = []
key = qp.get("b", keys[0])
if key not in keys:
    notes.append(f"There is no briefing {key[:40]!r}; showing the first one.")
    key = keys[0]
b = available[keys.index(key)]
total = len(b.slides)
asked = qp.get("slide")
# The slide shown lives in the session; the URL follows it. A rerun can carry a URL
# older than the last move (the map reports its view while the browser's address still
# has the previous slide), and obeying it would step back: a slide number this session
# itself wrote is such an echo. A number it never wrote is a link to follow.
saved = st.session_state.get(K.SLIDE)
if saved and saved["b"] == key and (asked is None or asked in saved["written"]):
    n = saved["n"]
else:
    try:
        n = int(asked or "1")
    except ValueError:
        n = 0
    if not 1 <= n <= total:
        # Past the end, the last slide is the nearest; anything else starts at the first.
        shown = total if n > total else 1
        notes.append(
            f"Slide {asked[:20]} does not exist in this briefing (slides 1 to {total}); "
            f"slide {shown} is shown."
        )
        n = shown
    saved = {"b": key, "n": n, "written": set()}
    st.session_state[K.SLIDE] = saved
saved["written"].add(str(n))
wanted = {"b": key, "slide": str(n)}
if {k: qp.get(k) for k in wanted} != wanted:
    qp.update(wanted)
# The map's first report of its view reruns the page: keep the note until the slide changes.
for note in link_notes("briefing", notes, wanted):
    st.info(md_plain(note), icon=":material/link_off:")


def _go(step: int) -> None:
    # From the session's slide, not the one this button was drawn on: two quick presses
    # of a clicker move two slides.
    state = st.session_state[K.SLIDE]
    state["n"] = min(max(state["n"] + step, 1), total)
    state["written"].add(str(state["n"]))
    st.query_params["slide"] = str(state["n"])
    for k in ("lat", "lon", "z", "layers"):
        if k in st.query_params:
            del st.query_params[k]


def _choose() -> None:
    # Before the run: the run then reads the new briefing from the URL, at its first slide.
    st.query_params.update({"b": st.session_state[K.BRIEFING], "slide": "1"})


top = st.columns([6, 1.3, 1.1, 0.9, 1.1], vertical_alignment="center")
if len(available) > 1:
    # The choice always shows the briefing the URL names (a link, or the back button).
    seed_widgets("briefing", {K.BRIEFING: key}, force=True)
    top[0].selectbox(
        "Briefing",
        keys,
        format_func=lambda k: available[keys.index(k)].title,
        label_visibility="collapsed",
        key=K.BRIEFING,
        on_change=_choose,
    )
else:
    top[0].caption(f"**{md_plain(b.title)}** · next: → ↓ Page Down space · previous: ← ↑ Page Up")
top[1].button(
    "Previous",
    icon=":material/arrow_back:",
    disabled=n <= 1,
    on_click=_go,
    args=(-1,),
    key=K.SLIDE_PREV,
    use_container_width=True,
)
top[2].button(
    "Next",
    icon=":material/arrow_forward:",
    disabled=n >= total,
    on_click=_go,
    args=(1,),
    key=K.SLIDE_NEXT,
    use_container_width=True,
)
top[3].markdown(f'<p class="atlas-count">Slide {n:d} of {total:d}</p>', unsafe_allow_html=True)
top[4].download_button(
    "PDF",
    lambda: briefing_pdf(b, cache.query, cache.basemap()),
    export_name(b.title, "pdf"),
    "application/pdf",
    icon=":material/picture_as_pdf:",
    on_click="ignore",
    key=K.SLIDE_PDF,
    use_container_width=True,
    help="The whole briefing, one page per slide, for a projector laptop with no app "
    "(takes a few seconds).",
)

try:
    rs = render_slide(b, n, cache.query, cache.basemap())
except BriefingError as exc:
    # No figures rather than wrong ones; the clicker still moves on (script below).
    st.error(f"Slide {n:d} cannot be shown:", icon=":material/error:")
    for p in exc.problems or [exc]:
        st.text(str(p))
    rs = None

if rs is not None:
    # html_text, not html.escape alone: a blank line in a text would end the HTML block.
    st.markdown(f'<h1 class="atlas-headline">{html_text(rs.headline)}</h1>', unsafe_allow_html=True)
    st.markdown(f'<p class="atlas-caption">{html_text(rs.caption)}</p>', unsafe_allow_html=True)
    if rs.empty:
        st.info(
            "Nothing in the data matches this slide's filters: its figures read 0 or "
            "none, and the map has nothing of them to show.",
            icon=":material/filter_alt_off:",
        )
    # 440 px fits under the texts at 1280 x 720; the presenter script below then sizes
    # the map to whatever height the window leaves.
    show_map(rs.page.spec, key=f"briefing_{b.key}_{n}", height=440)
    st.caption(md_plain(f"{rs.page.subtitle}. Source: {rs.page.citation} ({rs.page.licence})."))

# Clicker keys and the map's height, in the page itself (st.html runs it there, not in
# an iframe of its own): see app_pages/presenter.js.
st.html(
    "<script>" + presenter_js() + "</script>",  # md: trusted (the app's own file)
    unsafe_allow_javascript=True,
)
