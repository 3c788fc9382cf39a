"""Briefing editor: the slides "Add to briefing" captured, put in order, worded and saved
(app_pages/_draft.py holds the draft; geo/briefing_store.py writes the file)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pandas as pd
import streamlit as st

from app_pages import _keys as K
from app_pages._draft import Draft, draft
from app_pages._ui import data_grid, md_plain, require_data
from geo import cache
from geo.briefing import (
    BriefingError,
    check_briefing,
    fill_texts,
    read_briefing_bytes,
    read_briefings,
    slide_figures,
    slide_problems,
    unknown_figures,
)
from geo.briefing_store import briefing_toml, is_shipped, save_briefing
from geo.exports import export_name
from geo.i18n import DEFAULT, LANGUAGES, _, bound, fmt_date, fmt_int, fmt_num, language, ngettext
from geo.pages import page as page_of
from geo.settings import briefings_dir

require_data(("incidents", "countries"))

st.title(_("Briefing editor"))
st.caption(
    _(
        "Make a briefing from the views you choose: on any map page, set the filters, the map "
        "view and the layers, then press **Add to briefing**. Here, put the slides in order "
        "and write what each says. Figures are written as {name} and filled in from the "
        "slide's own data whenever the briefing is shown, so they never go stale."
    )
)

d = draft()
available, problems = read_briefings()
by_key = {b.key: b for b in available}
folder = briefings_dir()


def _link_to(key: str) -> None:
    # The address names the briefing under edit (?b=, as the Briefing page's Edit link
    # does): left naming another, it would reopen that file over the draft at the next
    # run (after a shipped one is saved as a copy, or another is chosen in the list).
    if key:
        st.query_params["b"] = key
    elif "b" in st.query_params:
        del st.query_params["b"]


def _open(key: str) -> None:
    st.session_state[K.DRAFT] = Draft.of(by_key[key])
    _link_to(key)


def _new() -> None:
    st.session_state[K.DRAFT] = Draft()
    st.session_state[K.EDITOR_OPEN] = None  # the list no longer names what is edited
    _link_to("")


def _chosen() -> None:
    # Only a change of the list opens a file: a choice left in it must not reopen the
    # file later (after "New briefing", or a shipped one saved as the user's copy).
    key, now = st.session_state.get(K.EDITOR_OPEN), draft()
    if key and key != now.key and (now.saved or not now.slides):
        _open(key)


# --- which briefing: the draft, a saved file, or an upload --------------------------
asked = st.query_params.get("b")
if asked in by_key and asked != d.key:
    if d.saved or not d.slides:
        _open(asked)
        d = draft()
    else:
        st.warning(
            _(
                "This link opens “{title}”, but the briefing below has changes that are not saved."
            ).format(title=md_plain(by_key[asked].text("title"))),
            icon=":material/edit_note:",
        )
        st.button(_("Discard them and open it"), on_click=_open, args=(asked,))

top = st.columns([3, 3, 2], vertical_alignment="bottom")
with top[0]:
    choice = st.selectbox(
        _("Open a saved briefing"),
        list(by_key),
        index=None,
        format_func=lambda k: (
            _("{title} (comes with the app)").format(title=by_key[k].text("title"))
            if is_shipped(folder / f"{k}.toml")
            else by_key[k].text("title")
        ),
        placeholder=_("Choose a briefing file…"),
        key=K.EDITOR_OPEN,
        on_change=_chosen,
    )
    if choice and choice != d.key and d.slides and not d.saved:
        st.button(
            _("Discard my changes and open it"),
            on_click=_open,
            args=(choice,),
            icon=":material/delete_sweep:",
        )
with top[1]:
    upload = st.file_uploader(
        _("Upload a briefing (TOML)"),
        type=["toml"],
        key=K.EDITOR_UPLOAD,
        help=_("A file downloaded from this editor, or written by hand (at most 1 MB)."),
        max_upload_size=1,
    )
with top[2]:
    # Callbacks run before app.py sets the run's language: the new draft's title is made
    # in this page's language.
    st.button(
        _("New briefing"), icon=":material/note_add:", on_click=bound(_new), disabled=not d.slides
    )

if upload is not None and st.session_state.get(K.EDITOR_UPLOADED) != upload.file_id:
    # Read once per upload: its slides become the draft, its problems are listed.
    st.session_state[K.EDITOR_UPLOADED] = upload.file_id
    b, found = read_briefing_bytes(upload.getvalue(), upload.name)
    if b is not None:
        found += [p for ps in check_briefing(b, cache.query).values() for p in ps]
        st.session_state[K.DRAFT] = d = Draft.of(b)
        d.key, d.saved = "", False  # an upload is saved under its own title's name
        _link_to("")
    st.session_state[K.EDITOR_PROBLEMS] = (upload.name, [str(p) for p in found], b is not None)

uploaded = st.session_state.get(K.EDITOR_PROBLEMS)
if uploaded:
    name, found, usable = uploaded
    if found:
        with st.container(border=True):
            n_found = len(found)
            st.error(
                (
                    ngettext(
                        "{n} problem in {name}; the slides without one are below.",
                        "{n} problems in {name}; the slides without one are below.",
                        n_found,
                    )
                    if usable
                    else ngettext(
                        "{n} problem in {name}; nothing to open.",
                        "{n} problems in {name}; nothing to open.",
                        n_found,
                    )
                ).format(n=fmt_int(n_found), name=md_plain(name)),
                icon=":material/error:",
            )
            for line in found:
                st.text(line)  # quotes the file: literal text
    elif usable:
        st.success(_("Opened {name}.").format(name=md_plain(name)), icon=":material/upload_file:")

# --- the briefing's own fields --------------------------------------------------------
shipped = bool(d.key) and is_shipped(folder / f"{d.key}.toml")
if shipped:
    st.info(
        _("This briefing comes with the app: saving writes your own copy, the original stays."),
        icon=":material/lock:",
    )
# The texts are edited in the page's language: English is the briefing's own text; in
# French or Spanish the fields hold that language's version (empty: the English shows,
# as its placeholder says), saved in the file's [fr] / [es] tables.
lang = language()
suffix = "" if lang == DEFAULT else f"_{lang}"
if lang != DEFAULT:
    st.caption(
        _(
            "You are writing the {language} version of this briefing. A text left empty "
            "shows the English one (in grey in each field) to a {language} audience."
        ).format(language=md_plain(LANGUAGES[lang].lower()))
    )


def _own(obj, attr: str) -> str:
    """The page language's text of a field (the English one in English)."""
    return getattr(obj, attr) if lang == DEFAULT else obj.texts.get(lang, {}).get(attr, "")


def _with(texts: dict, changed: dict) -> dict:
    """A copy of a texts table with this language's fields changed (empty ones dropped)."""
    out = {k: dict(v) for k, v in texts.items()}
    mine = {**out.get(lang, {}), **changed}
    out[lang] = {k: v for k, v in mine.items() if v}
    if not out[lang]:
        del out[lang]
    return out


for wkey, attr in ((K.EDITOR_TITLE, "title"), (K.EDITOR_DESCRIPTION, "description")):
    if st.session_state.get(K.EDITOR_FOR) != (id(d), lang):
        st.session_state[wkey + suffix] = _own(d, attr)
st.session_state[K.EDITOR_FOR] = (id(d), lang)
title = st.text_input(
    _("Title"), key=K.EDITOR_TITLE + suffix, max_chars=200, placeholder=d.title or None
)
description = st.text_input(
    _("Description (optional)"),
    key=K.EDITOR_DESCRIPTION + suffix,
    max_chars=500,
    placeholder=d.description or None,
)
if (title, description) != (_own(d, "title"), _own(d, "description")):
    if lang == DEFAULT:
        d.title, d.description = title, description
    else:
        d.texts = _with(d.texts, {"title": title, "description": description})
    d.saved = False

if not d.slides:
    st.info(
        _(
            "No slides yet. Open a map page, choose a view and press **Add to briefing** "
            "(below the map), or open or upload a briefing above."
        ),
        icon=":material/add_to_photos:",
    )
    st.stop()


# --- the slides -----------------------------------------------------------------------
def _move(i: int, step: int) -> None:
    j = i + step
    d.slides[i], d.slides[j] = d.slides[j], d.slides[i]
    d.ids[i], d.ids[j] = d.ids[j], d.ids[i]
    d.saved = False


def _duplicate(i: int) -> None:
    d.add(d.slides[i], at=i + 1)
    # The copy starts with the texts shown in the original's fields.
    src, dst = d.ids[i], d.ids[i + 1]
    d.slides[i + 1] = replace(d.slides[i], texts={k: dict(v) for k, v in d.slides[i].texts.items()})
    for part in ("head", "caption", "notes"):
        for tail in ("", *(f"_{code}" for code in LANGUAGES if code != DEFAULT)):
            if f"ed_{part}_{src}{tail}" in st.session_state:
                st.session_state[f"ed_{part}_{dst}{tail}"] = st.session_state[
                    f"ed_{part}_{src}{tail}"
                ]


def _delete(i: int) -> None:
    del d.slides[i]
    del d.ids[i]
    d.saved = False


def _value_text(v: object) -> str:
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    if isinstance(v, int):
        return fmt_int(v)
    if isinstance(v, float):
        return fmt_num(v, 2)
    if isinstance(v, datetime | date):
        return fmt_date(v, "long")
    return _("none") if v is None else str(v)[:60]


def _figure_table(values: dict) -> None:
    rows = [
        {_("Write"): "{" + k + "}", _("Now"): _value_text(v)}
        for k, v in values.items()
        if not isinstance(v, str) or len(values) < 40
    ]
    data_grid(
        pd.DataFrame(rows), hide_index=True, width="stretch", height=min(35 * len(rows) + 38, 300)
    )
    st.caption(_("Formats: {incidents:,} writes 1,234; {first_date:%Y} writes the year."))


field_labels = {"headline": _("Headline"), "caption": _("Caption")}  # a format error's field
b = d.briefing()
refused = 0
for i, (slide, uid) in enumerate(zip(list(d.slides), list(d.ids), strict=True)):
    p = page_of(slide.page)
    try:
        values = slide_figures(b, i + 1, cache.query, cache.basemap())
        problems_here = [str(x) for x in slide_problems(b.slides[i], cache.query)]
    except BriefingError as exc:
        values, problems_here = {}, [str(x) for x in exc.problems] or [str(exc)]
    with st.container(border=True, key=f"atlas_slide_{uid}"):
        head = st.columns([3.4, 1, 1.2, 1.3, 1.2], vertical_alignment="center")
        query = "&".join(f"{k}={v}" for k, v in slide.params.items())
        head[0].markdown(
            _("**Slide {n}** · {page}").format(n=fmt_int(i + 1), page=md_plain(_(p.nav_title)))
        )
        head[1].button(
            _("Up"),
            key=f"ed_up_{uid}",
            icon=":material/arrow_upward:",
            disabled=i == 0,
            on_click=_move,
            args=(i, -1),
            width="stretch",
        )
        head[2].button(
            _("Down"),
            key=f"ed_down_{uid}",
            icon=":material/arrow_downward:",
            disabled=i == len(d.slides) - 1,
            on_click=_move,
            args=(i, 1),
            width="stretch",
        )
        head[3].button(
            _("Duplicate"),
            key=f"ed_dup_{uid}",
            icon=":material/content_copy:",
            on_click=_duplicate,
            args=(i,),
            width="stretch",
        )
        head[4].button(
            _("Delete"),
            key=f"ed_del_{uid}",
            icon=":material/delete:",
            on_click=_delete,
            args=(i,),
            width="stretch",
        )
        st.page_link(
            p.script,
            label=(
                _("Open this view: {link}").format(link=md_plain(query[:160]))
                if query
                else _("Open this view: default view")
            ),
            icon=":material/open_in_new:",
            query_params=slide.params,
        )
        for line in problems_here:
            st.error(md_plain(line), icon=":material/error:")
        left, right = st.columns([3, 2])
        with left:
            texts = {}
            flagged = refused
            for part, label, attr, area in (
                ("head", _("Headline"), "headline", False),
                ("caption", _("Caption"), "caption", True),
                (
                    "notes",
                    _("Speaker notes (shown only to you, in the presenter view)"),
                    "notes",
                    True,
                ),
            ):
                wkey = f"ed_{part}_{uid}{suffix}"
                if wkey not in st.session_state:
                    st.session_state[wkey] = _own(slide, attr)
                widget = st.text_area if area else st.text_input
                extra = {"height": 90} if area else {}
                if lang != DEFAULT and getattr(slide, attr):
                    extra["placeholder"] = getattr(slide, attr)[:300]
                texts[attr] = widget(label, key=wkey, **extra)
                if attr != "notes" and values:
                    bad = unknown_figures(texts[attr] or getattr(slide, attr), values)
                    if bad:
                        refused += 1
                        st.error(
                            md_plain(
                                _("Unmatched { in the text: write {{ and }} for braces.")
                                if bad == ["{"]
                                else _(
                                    "No figure {names} on this slide: use one listed on the right."
                                ).format(names=", ".join("{" + n + "}" for n in bad))
                            ),
                            icon=":material/error:",
                        )
            changed = {k: v for k, v in texts.items() if _own(slide, k) != v}
            if changed:
                if lang == DEFAULT:
                    d.slides[i] = slide = replace(slide, **changed)
                else:
                    d.slides[i] = slide = replace(slide, texts=_with(slide.texts, changed))
                d.saved = False
            if values:
                try:
                    shown = fill_texts(slide, values)
                except BriefingError as exc:
                    shown = None
                    if refused == flagged:  # not an unknown {name} marked above: a format
                        # such as {dead_and_missing:%Y} fails when shown; say why here
                        refused += 1
                        p0 = exc.problems[0]
                        st.error(
                            md_plain(
                                _("{field}: {message}").format(
                                    field=field_labels.get(p0.field, p0.field.capitalize()),
                                    message=p0.message,
                                )
                            ),
                            icon=":material/error:",
                        )
                if shown:
                    st.caption(_("Preview, with today's data"))
                    st.markdown(f"**{md_plain(shown[0])}**")
                    if shown[1]:
                        st.markdown(md_plain(shown[1]))
        with right:
            st.markdown(_("**Figures of this slide**"))
            _figure_table(values)

# --- save, download, present ------------------------------------------------------------
b = d.briefing()
st.divider()
acts = st.columns([1.2, 1.4, 1.2, 3], vertical_alignment="center")


def _save() -> None:
    try:
        path = save_briefing(d.briefing())
    except OSError as exc:
        st.session_state[K.EDITOR_SAVED] = (
            "error",
            _("Could not save in {folder}: {error}").format(
                folder=folder, error=exc.strerror or exc
            ),
        )
        return
    d.key, d.saved = path.stem, True
    if st.session_state.get(K.EDITOR_OPEN) != d.key:  # a shipped one's copy: not the choice
        st.session_state[K.EDITOR_OPEN] = None
    _link_to(d.key)
    st.session_state[K.EDITOR_SAVED] = ("ok", str(path))


acts[0].button(
    _("Save"),
    icon=":material/save:",
    type="primary",
    on_click=bound(_save),  # its message in this page's language (see "New briefing")
    disabled=refused > 0,
    key="atlas_editor_save",
    help=(
        _("Fix the figures marked in red first.")
        if refused
        else md_plain(_("Saved in {folder}").format(folder=folder))
    ),
)
acts[1].download_button(
    _("Download TOML"),
    briefing_toml(b),
    export_name(d.title or _("briefing"), "toml"),
    "application/toml",
    icon=":material/download:",
    on_click="ignore",
    key="atlas_editor_toml",
)
if d.key and d.saved:
    acts[2].page_link(
        "app_pages/briefing.py",
        label=_("Present"),
        icon=":material/co_present:",
        query_params={"b": d.key, "slide": "1"},
    )
said = st.session_state.pop(K.EDITOR_SAVED, None)
if said:
    kind, text = said
    if kind == "ok":
        acts[3].success(_("Saved as {path}").format(path=md_plain(text)), icon=":material/check:")
    else:
        acts[3].error(md_plain(text), icon=":material/error:")
elif not d.saved:
    acts[3].caption(_("Changes not saved yet."))
