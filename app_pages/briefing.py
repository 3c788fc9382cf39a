"""Briefing: a presenter layout stepping through saved views (data/briefings/*.toml)."""

import functools
from pathlib import Path

import streamlit as st

from app_pages import _keys as K
from app_pages._ui import (
    link_notes,
    md_plain,
    require_data,
    seed_widgets,
)
from geo import cache
from geo.briefing import check_briefing, read_briefings
from geo.briefing_pdf import briefing_pdf
from geo.exports import export_name
from geo.i18n import _, bound, fmt_int, ngettext
from geo.settings import briefings_dir


@functools.cache
def presenter_js() -> str:
    """app_pages/presenter.js, read once per server (every key press reruns this page)."""
    return (Path(__file__).parent / "presenter.js").read_text(encoding="utf-8")


require_data(("incidents", "countries"))  # the shipped briefings quote MMP figures

# Presenter styling: no Streamlit header but its button that opens the sidebar (the
# pages and the language; the bar keeps a gutter for it), a thin bar of controls, the
# deck filling the rest of the window (presenter.js sizes it), at 1280 x 720 and
# 1920 x 1080 alike.
st.html(
    """<style>
    [data-testid="stHeader"] {background: transparent; height: 0;}
    [data-testid="stHeader"], [data-testid="stHeader"] * {pointer-events: none !important;}
    [data-testid="stHeader"] [data-testid="stExpandSidebarButton"],
    [data-testid="stHeader"] [data-testid="stExpandSidebarButton"] * {pointer-events: auto !important;}
    [data-testid="stMainBlockContainer"] {padding: .6rem 1rem .2rem 3.5rem; max-width: none;}
    [data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {gap: .4rem;}
    .st-key-atlas_deck button, .st-key-atlas_pdf button {white-space: nowrap;}
    </style>"""
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
    label = ngettext(
        "{n} problem in the briefing files", "{n} problems in the briefing files", n_problems
    ).format(n=fmt_int(n_problems))
    with st.expander(label, expanded=not available, icon=":material/warning:"):
        st.caption(
            _(
                "A slide with a problem is left out, or says why when it is reached. "
                "Folder: {folder}"
            ).format(folder=md_plain(briefings_dir()))
        )
        for p in problems:
            st.text(str(p))
if not available:
    st.info(
        _(
            "No usable briefing in {folder}. Add a TOML file there "
            "(see the shipped example, data/briefings/deadliest-routes.toml)."
        ).format(folder=md_plain(briefings_dir()))
    )
    st.stop()

keys = [b.key for b in available]
qp = st.query_params
notes = []
key = qp.get("b", keys[0])
if key not in keys:
    notes.append(
        _("There is no briefing {name}; showing the first one.").format(name=repr(key[:40]))
    )
    key = keys[0]
b = available[keys.index(key)]
total = len(b.slides)
asked = qp.get("slide")
try:
    n = int(asked or "1")
except ValueError:
    n = 0
if not 1 <= n <= total:
    # Past the end, the last slide is the nearest; anything else starts at the first.
    shown = total if n > total else 1
    notes.append(
        _(
            "Slide {asked} does not exist in this briefing (slides 1 to {total}); "
            "slide {shown} is shown."
        ).format(asked=asked[:20], total=fmt_int(total), shown=fmt_int(shown))
    )
    n = shown
wanted = {"b": key, "slide": str(n)}
if {k: qp.get(k) for k in wanted} != wanted:
    qp.update(wanted)
for note in link_notes("briefing", notes, wanted):
    st.info(md_plain(note), icon=":material/link_off:")


def _choose() -> None:
    # Before the run: the run then reads the new briefing from the URL, at its first slide.
    st.query_params.update({"b": st.session_state[K.BRIEFING], "slide": "1"})


top = st.columns([2.6, 3.4, 1.0, 1.9, 1.1], vertical_alignment="center")
top[1].caption(
    _(
        "→ Page Down space: next · ← Page Up: previous · F: full screen · "
        "P: presenter view (notes, next slide) in a second window"
    )
)
if len(available) > 1:
    # The choice always shows the briefing the URL names (a link, or the back button).
    seed_widgets("briefing", {K.BRIEFING: key}, force=True)
    top[0].selectbox(
        _("Briefing"),
        keys,
        format_func={k: x.text("title") for k, x in zip(keys, available, strict=True)}.get,
        label_visibility="collapsed",
        key=K.BRIEFING,
        on_change=_choose,
    )
else:
    top[0].caption(f"**{md_plain(b.text('title'))}**")
top[2].page_link(
    "app_pages/briefing_editor.py",
    label=_("Edit"),
    icon=":material/edit:",
    query_params={"b": key},
    help=_("Reorder, reword, add speaker notes; add views from the map pages."),
)
top[3].download_button(
    _("HTML deck"),
    # Made when clicked, maybe in another thread: in this session's language.
    bound(lambda: cache.deck(b)),
    export_name(b.text("title"), "html"),
    "text/html",
    icon=":material/slideshow:",
    on_click="ignore",
    key=K.SLIDE_DECK,
    width="stretch",
    help=_(
        "The whole briefing in one file: opens by double-click on any laptop, with no "
        "internet, no server and no Python; arrow keys and clickers move the slides."
    ),
)
top[4].download_button(
    _("PDF"),
    bound(lambda: briefing_pdf(b, cache.query, cache.basemap())),
    export_name(b.text("title"), "pdf"),
    "application/pdf",
    icon=":material/picture_as_pdf:",
    on_click="ignore",
    key=K.SLIDE_PDF,
    width="stretch",
    help=_("One 16:9 page per slide and a page of sources (takes a few seconds)."),
)

# The deck itself: every slide built once, stepping happens in the browser (no rerun,
# no blank map between slides). It opens at the link's slide; the URL then follows the
# deck (presenter.js), so a copied link or a reload reopens the slide shown.
with st.spinner(_("Preparing the slides…")):
    deck = cache.deck(b, start=n)
st.iframe(deck, height=600)  # md: trusted (geo/deck.py escapes every text it holds)

# Clicker keys and the map's height, in the page itself (st.html runs it there, not in
# an iframe of its own): see app_pages/presenter.js.
st.html(
    "<script>" + presenter_js() + "</script>",  # md: trusted (the app's own file)
    unsafe_allow_javascript=True,
)
