"""A briefing as one self-contained HTML deck, for a hall's projector.

Each slide shows its headline, caption, filter line, interactive map and credit. The
file makes no outside request (no script, stylesheet, font or image from anywhere:
Leaflet is inlined in each map), so it opens from ``file://`` with the network off, with
no server and no Python.

How it is built, and why:

* Each slide's map is its own page (:func:`geo.exports.standalone_html`, title bar
  removed) in an ``<iframe srcdoc>``: folium pages declare globals, so two maps cannot
  share a document. The frame is sandboxed (scripts only, no same-origin): the map's
  text comes from data and uploads.
* All slides are stacked; only the current one is visible. Hidden slides keep their
  size (``visibility``, not ``display:none``), so a preloaded map is already drawn when
  its slide comes up. Maps load one after another from the current slide outwards.
* A click on a map sends the keys to the map's frame, where Leaflet would pan. A small
  capture-phase script in each map (:data:`KEY_FORWARD`) swallows the deck's keys and
  posts them to the deck, which moves the slide.
* The URL's hash follows the slide (``#3``). Embedded in another page, the deck posts
  ``{atlasDeckSlide: n}`` to its parent on each change and obeys ``{atlasDeckGo: n}``.
* The presenter view is a window the deck writes itself (``about:blank``), so it works
  from ``file://``: notes, next headline, slide number and elapsed time.

Every text of a briefing is untrusted (briefing files are uploads): it is escaped, and
written into the presenter view with ``textContent`` only.

The deck's own words (buttons, presenter view, messages) and its ``lang`` are the
language of the run that builds it (:func:`geo.i18n.language`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from geo.briefing import Briefing, BriefingError, RenderedSlide, render_slide
from geo.exports import SUMMARY_ID, standalone_html
from geo.i18n import _, fmt_date, language
from geo.maps import escape, http_url
from geo.mapspec import PlaybackLayer
from geo.qr import qr_svg
from geo.textmap import map_summary
from geo.views import Query

# The deck's keys, also swallowed in the maps (Leaflet pans with the arrows).
NEXT_KEYS = ("ArrowRight", "ArrowDown", "PageDown", " ")
PREV_KEYS = ("ArrowLeft", "ArrowUp", "PageUp")
OTHER_KEYS = ("Home", "End", "p", "P")

# Injected first in each map's <head>: a capture listener on the window runs before
# Leaflet's on the map container. It stops the deck's keys there and forwards them to
# the deck; postMessage works across the sandbox's opaque origin.
KEY_FORWARD = (
    "<script>(function(){var K={"
    + ",".join(f"{k!r}:1" for k in NEXT_KEYS + PREV_KEYS + OTHER_KEYS)
    + "};window.addEventListener('keydown',function(e){"
    "if(e.ctrlKey||e.metaKey||e.altKey||!K[e.key]){return;}"
    "var t=e.target;if(t&&(t.isContentEditable||/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))"
    "{return;}"
    # Space presses a focused button (the map's pan buttons, the legend's): not a slide.
    "if(e.key===' '&&t&&t.tagName==='BUTTON'){return;}"
    "e.preventDefault();e.stopPropagation();e.stopImmediatePropagation();"
    "window.parent.postMessage({atlasDeckKey:e.key,shift:e.shiftKey},'*');},true);})();"
    "</script>"
)
# A map page inside a slide: no title bar, and the map fills the frame.
MAP_CSS = (
    "<style>.atlas-export-head{display:none}"
    "html,body{overflow:hidden}.folium-map{min-height:0!important}</style>"
)
# The frame's sandbox: scripts run; a popup's source link may open a new tab.
SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox"
QR_PX = 132

CSS = """
*{box-sizing:border-box}
html,body{margin:0;height:100%;overflow:hidden;background:#fff;color:#1b1b1b;
font-family:'DejaVu Sans',Arial,sans-serif}
.slide{position:absolute;inset:0;display:flex;flex-direction:column;
gap:clamp(4px,1.2vh,16px);padding:clamp(8px,2vh,30px) clamp(12px,2.4vw,48px);
visibility:hidden;z-index:0}
.slide.current{visibility:visible;z-index:1}
.slide>header{flex:0 0 auto}
.headline{font-size:clamp(20px,min(3.3vw,6vh),66px);line-height:1.12;margin:0 0 .22em;
font-weight:700;letter-spacing:-.01em}
.caption{font-size:clamp(14px,min(1.65vw,3vh),34px);line-height:1.3;margin:0 0 .2em}
.filters{font-size:clamp(11px,min(1.05vw,1.95vh),21px);line-height:1.3;margin:0;color:#555}
.filters.empty{color:#8a4b00}
.map{flex:1 1 auto;min-height:0;position:relative;border:1px solid #ccc}
.map iframe{position:absolute;inset:0;width:100%;height:100%;border:0;display:block}
.problems{flex:1 1 auto;min-height:0;overflow:auto;margin:0;padding:1em 1.4em;
border:2px solid #b00020;color:#1b1b1b;font-size:clamp(13px,min(1.4vw,2.6vh),26px);
line-height:1.4;white-space:pre-wrap}
.problems li{margin:.3em 0}
.slide>footer{flex:0 0 auto;display:flex;align-items:flex-end;gap:clamp(8px,1.4vw,24px);
font-size:clamp(10px,min(.9vw,1.7vh),18px);line-height:1.35;color:#444}
.credit{flex:1 1 0;min-width:0;margin:0}
.qr{flex:0 0 auto;display:flex;align-items:flex-end;gap:.6em;margin:0}
.qr svg{height:clamp(48px,10vh,128px);width:auto;display:block;flex:0 0 auto}
.qr figcaption{width:clamp(10em,18vw,22em);overflow-wrap:anywhere}
.qr a{color:#1a4f8b}
.count{flex:0 0 auto;white-space:nowrap;font-weight:700;
font-size:clamp(12px,min(1.2vw,2.2vh),24px)}
.controls{flex:0 0 auto;display:flex;gap:.3em}
.controls button{font:inherit;font-size:clamp(11px,min(.95vw,1.8vh),18px);padding:.25em .6em;
border:1px solid #999;border-radius:4px;background:#f6f6f6;color:#1b1b1b;cursor:pointer}
.controls button:hover{background:#e8e8e8}
.controls button{min-width:24px;min-height:24px}
button:focus-visible,a:focus-visible{outline:3px solid #1a4f8b;outline-offset:2px}
.skip{position:absolute;left:-10000px;z-index:5}
.skip:focus{left:1em;top:.5em;padding:.3em .7em;background:#fff;color:#1a4f8b;
border:1px solid #1a4f8b;border-radius:4px;font-weight:700}
.slide>footer:focus{outline:none}
.notes{display:none}
.toast{position:fixed;z-index:9;left:50%;top:1em;transform:translateX(-50%);padding:.6em 1em;
background:#1b1b1b;color:#fff;border-radius:4px;font-size:16px}
"""

PRESENTER_CSS = (
    "body{margin:0;padding:18px 22px;font-family:'DejaVu Sans',Arial,sans-serif;"
    "color:#1b1b1b;background:#fff}"
    ".top{display:flex;justify-content:space-between;font-size:20px;font-weight:700}"
    "#clock{font-variant-numeric:tabular-nums}"
    "h1{font-size:24px;line-height:1.2;margin:14px 0 8px}"
    "h2{font-size:14px;text-transform:uppercase;letter-spacing:.06em;color:#666;"
    "margin:16px 0 4px}"
    "#notes{font-size:22px;line-height:1.45;white-space:pre-wrap}"
    "#next{font-size:18px;color:#333;margin:0}"
    "button{font:inherit;font-size:16px;padding:4px 12px;margin-right:6px}"
)


def _text(message: str) -> str:
    """One of the deck's own words, escaped for HTML text (quotes kept as they are)."""
    return html.escape(message, quote=False)


def presenter_html() -> str:
    """What the deck writes into the presenter window, in this run's language: markup
    only, the slide's texts are set with ``textContent`` afterwards."""
    # Messages outside the f-strings: the extractor does not look inside them.
    title, notes = _text(_("Presenter view")), _text(_("Notes"))
    prev, nxt = _text(_("Previous")), _text(_("Next"))
    return (
        f"<!doctype html><html lang='{language()}'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>" + PRESENTER_CSS + "</style></head><body>"
        "<div class='top'><span id='count'></span><span id='clock'>00:00</span></div>"
        f"<h1 id='headline'></h1><h2>{notes}</h2><div id='notes'></div>"
        f"<h2>{nxt}</h2><p id='next'></p>"
        f"<p><button id='prev-btn' type='button'>{prev}</button>"
        f"<button id='next-btn' type='button'>{nxt}</button></p></body></html>"
    )


JS = r"""
(function () {
  'use strict';
  var slides = Array.prototype.slice.call(document.querySelectorAll('.slide'));
  var total = slides.length;
  if (!total) { return; }
  var current = -1;
  var embedded = window.parent !== window;
  var presenter = null, started = 0, timer = null;
  var NEXT = __NEXT__, PREV = __PREV__;
  var WORDS = __WORDS__;

  function frameOf(i) { return slides[i] ? slides[i].querySelector('iframe') : null; }

  // Maps load one at a time, from the current slide outwards: the first one is not
  // slowed down by the others, and the next ones are drawn before they are shown.
  function load(i) {
    var f = frameOf(i);
    if (!f || f.dataset.loaded) { return false; }
    f.dataset.loaded = '1';
    f.addEventListener('load', loadNext, { once: true });
    f.srcdoc = f.dataset.srcdoc;
    f.removeAttribute('data-srcdoc');
    return true;
  }
  function loadNext() {
    for (var d = 1; d < total; d++) {
      if (load(current + d) || load(current - d)) { return; }
    }
  }

  function text(el, sel) {
    var x = el ? el.querySelector(sel) : null;
    return x ? x.textContent : '';
  }

  function show(i) {
    i = Math.max(0, Math.min(total - 1, i));
    if (i === current) { return; }
    if (current >= 0) {
      slides[current].classList.remove('current');
      slides[current].setAttribute('aria-hidden', 'true');
    }
    current = i;
    slides[i].classList.add('current');
    slides[i].removeAttribute('aria-hidden');
    if (!load(i)) { loadNext(); }
    var n = i + 1;
    if (location.hash !== '#' + n) {
      try { history.replaceState(null, '', '#' + n); } catch (e) {
        try { location.hash = String(n); } catch (e2) { /* an embedding forbids it */ }
      }
    }
    if (embedded) {
      try { window.parent.postMessage({ atlasDeckSlide: n }, '*'); } catch (e) { /* gone */ }
    }
    updatePresenter();
  }

  function run(action) {
    if (action === 'next') { show(current + 1); }
    else if (action === 'prev') { show(current - 1); }
    else if (action === 'first') { show(0); }
    else if (action === 'last') { show(total - 1); }
    else if (action === 'presenter') { openPresenter(); }
  }

  function actionOf(key, shift) {
    if (key === ' ') { return shift ? 'prev' : 'next'; }
    if (NEXT.indexOf(key) >= 0) { return 'next'; }
    if (PREV.indexOf(key) >= 0) { return 'prev'; }
    if (key === 'Home') { return 'first'; }
    if (key === 'End') { return 'last'; }
    if (key === 'p' || key === 'P') { return 'presenter'; }
    return null;
  }

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    // Space presses a focused button or link (the slide's own buttons), as anywhere else.
    var t = e.target;
    if (e.key === ' ' && t && /^(BUTTON|A|SUMMARY)$/.test(t.tagName || '')) { return; }
    var a = actionOf(e.key, e.shiftKey);
    if (!a) { return; }
    e.preventDefault();
    run(a);
  }

  function say(message) {
    var el = document.createElement('div');
    el.className = 'toast';
    el.setAttribute('role', 'status');
    el.textContent = message;
    document.body.appendChild(el);
    setTimeout(function () { el.remove(); }, 5000);
  }

  function pad(v) { return (v < 10 ? '0' : '') + v; }
  function tick() {
    if (!presenter || presenter.closed) { clearInterval(timer); timer = null; return; }
    var s = Math.floor((Date.now() - started) / 1000);
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    presenter.document.getElementById('clock').textContent =
      (h ? h + ':' + pad(m) : pad(m)) + ':' + pad(s % 60);
  }

  function updatePresenter() {
    if (!presenter || presenter.closed) { return; }
    var d = presenter.document, s = slides[current];
    d.getElementById('count').textContent =
      WORDS.count.replace('{n}', current + 1).replace('{total}', total);
    d.getElementById('headline').textContent = text(s, '.headline');
    var notes = text(s, '.notes');
    d.getElementById('notes').textContent = notes || WORDS.noNotes;
    d.getElementById('next').textContent =
      current + 1 < total ? text(slides[current + 1], '.headline') : WORDS.end;
  }

  function openPresenter() {
    if (presenter && !presenter.closed) { presenter.focus(); return; }
    var w = window.open('', 'atlas-deck-presenter', 'width=760,height=600');
    if (!w) { say(WORDS.blocked); return; }
    try {
      w.document.open();
      w.document.write(__PRESENTER__);
      w.document.close();
    } catch (e) { return; }
    presenter = w;
    window.atlasDeckPresenter = w;
    w.document.addEventListener('keydown', onKey);
    w.document.getElementById('prev-btn').addEventListener('click', function () { run('prev'); });
    w.document.getElementById('next-btn').addEventListener('click', function () { run('next'); });
    started = Date.now();
    if (timer) { clearInterval(timer); }
    timer = setInterval(tick, 1000);
    updatePresenter();
  }

  document.addEventListener('keydown', onKey);
  document.addEventListener('click', function (e) {
    // The skip link: the focus goes to the slide's footer (no hash: the hash is the slide).
    var skip = e.target.closest ? e.target.closest('a.skip') : null;
    if (skip) {
      e.preventDefault();
      var foot = skip.closest('.slide').querySelector('footer');
      if (foot) { foot.focus(); }
      return;
    }
    var b = e.target.closest ? e.target.closest('button[data-action]') : null;
    if (!b) { return; }
    run(b.getAttribute('data-action'));
    b.blur();
  });

  window.addEventListener('message', function (e) {
    var d = e.data;
    if (!d || typeof d !== 'object') { return; }
    if (typeof d.atlasDeckKey === 'string') {
      // Only our own maps, and the page around the deck (Home, End and P pressed on its
      // presenter bar), forward keys.
      var ours = (embedded && e.source === window.parent) || slides.some(function (s, i) {
        var f = frameOf(i);
        return f && f.contentWindow === e.source;
      });
      if (ours) {
        var a = actionOf(d.atlasDeckKey, !!d.shift);
        if (a) { run(a); }
      }
    } else if ('atlasDeckGo' in d && embedded && e.source === window.parent) {
      var n = parseInt(d.atlasDeckGo, 10);
      if (n >= 1 && n <= total) { show(n - 1); }
    }
  });

  function fromHash() {
    var m = /^#(\d+)$/.exec(location.hash);
    var n = m ? parseInt(m[1], 10) : 0;
    return n >= 1 && n <= total ? n - 1 : -1;
  }
  window.addEventListener('hashchange', function () {
    var i = fromHash();
    if (i >= 0) { show(i); }
  });

  var first = fromHash();
  if (first < 0) { first = parseInt(document.body.getAttribute('data-start'), 10) - 1 || 0; }
  show(first);
  window.atlasDeck = { show: function (n) { show(n - 1); }, current: function () { return current + 1; },
                       total: total };
})();
"""


def _js() -> str:
    import json

    def js(value) -> str:  # JSON that can never close the script element
        return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")

    words = {
        "count": _("Slide {n} of {total}"),
        "noNotes": _("(no notes for this slide)"),
        "end": _("(end of the briefing)"),
        "blocked": _("The browser blocked the presenter window: allow pop-ups for this file."),
    }
    return (
        JS.replace("__NEXT__", json.dumps([k for k in NEXT_KEYS if k != " "]))
        .replace("__PREV__", json.dumps(list(PREV_KEYS)))
        .replace("__WORDS__", js(words))
        .replace("__PRESENTER__", js(presenter_html()))
    )


def _map_page(rs: RenderedSlide) -> str:
    """The slide's map as its own page: Leaflet inlined, no title bar, keys forwarded."""
    page = rs.page
    # A slide that plays over time starts playing each time it is shown.
    spec = replace(
        page.spec,
        layers=[
            replace(layer, autoplay=True) if isinstance(layer, PlaybackLayer) else layer
            for layer in page.spec.layers
        ],
    )
    summary = map_summary(spec)
    doc = standalone_html(spec, page.title or "", page.subtitle or "", description=summary)
    # The title bar holds escaped text only, so its first </header> is its end.
    doc = re.sub(r'<header class="atlas-export-head">.*?</header>', "", doc, count=1, flags=re.S)
    # The map's text twin went with the title bar: kept for screen readers only (the
    # map's aria-describedby names it), the slide's room left to the map.
    hidden = (
        "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
        "white-space:nowrap"
    )
    doc = doc.replace(
        "<body>",
        f'<body>\n<p id="{SUMMARY_ID}" style="{hidden}">{escape(summary)}</p>',
        1,
    )
    doc = doc.replace("<head>", "<head>\n" + KEY_FORWARD, 1)
    return doc.replace("</head>", MAP_CSS + "\n</head>", 1)


def _credit(rs: RenderedSlide) -> str:
    page = rs.page
    parts = []
    if page.citation and page.licence:
        parts.append(
            _("Source: {citation} ({licence}).").format(
                citation=page.citation, licence=page.licence
            )
        )
    elif page.citation:
        parts.append(_("Source: {citation}.").format(citation=page.citation))
    if page.caveat:
        parts.append(str(page.caveat))
    return escape(" ".join(parts))


def _qr(base: str | None, rs: RenderedSlide) -> str:
    """The slide's QR code and its link, or '' without a public address."""
    url = http_url(base + rs.link) if base else None
    if url is None:
        return ""
    return (
        f'<figure class="qr">{qr_svg(url, QR_PX)}<figcaption>'
        + _text(_("Open this view: {link}")).format(
            link=f'<a href="{escape(url)}" rel="noopener noreferrer" '
            f'target="_blank">{escape(url)}</a>'
        )
        + "</figcaption></figure>"
    )


def _footer(credit: str, n: int, total: int, qr: str = "") -> str:
    nav, presenter = escape(_("Slides")), _text(_("Presenter"))
    prev, nxt = escape(_("Previous slide (←)")), escape(_("Next slide (→)"))
    presenter_title = escape(_("Presenter view (P)"))
    controls = (
        f'<nav class="controls" aria-label="{nav}">'
        f'<button type="button" data-action="prev" title="{prev}">‹</button>'
        f'<button type="button" data-action="next" title="{nxt}">›</button>'
        f'<button type="button" data-action="presenter" title="{presenter_title}">'
        f"{presenter}</button></nav>"
    )
    return (
        f'<footer id="slide-{n}-end" tabindex="-1"><p class="credit">{credit}</p>{qr}'
        f'<span class="count">{n} / {total}</span>{controls}</footer>'
    )


def _notes(text: str) -> str:
    return f'<div class="notes" hidden>{escape(text)}</div>' if text else ""


def _slide(rs: RenderedSlide, total: int, base: str | None, when: date) -> str:
    page = rs.page
    head = [f'<h1 class="headline">{escape(rs.headline)}</h1>']
    if rs.caption:
        head.append(f'<p class="caption">{escape(rs.caption)}</p>')
    if page.subtitle:
        head.append(f'<p class="filters">{escape(page.subtitle)}</p>')
    if rs.empty:
        # The slide's filters match nothing: its figures read 0 or "none", not an error.
        empty = _(
            "Nothing in the data matches this slide's filters: its figures read 0 or none, "
            "and the map has nothing of them to show."
        )
        head.append(f'<p class="filters empty">{_text(empty)}</p>')
    for note in rs.notes:  # a map view or layer of the slide that was not understood
        note_text = _text(_("Map: {note}.")).format(note=escape(note))
        head.append(f'<p class="filters empty">{note_text}</p>')
    map_title = _("Map: {title}").format(title=page.title or rs.headline)
    frame = (
        f'<div class="map"><iframe title="{escape(map_title)}" '
        f'sandbox="{SANDBOX}" data-srcdoc="{html.escape(_map_page(rs), quote=True)}">'
        "</iframe></div>"
    )
    credit = _credit(rs)
    made = _("Arrival Atlas, {date}.").format(date=fmt_date(when, "long"))
    credit += (" " if credit else "") + escape(made)
    label = _("Slide {n} of {total}").format(n=rs.number, total=total)
    # A keyboard's way past the map's controls to the slide's own buttons.
    skip_words = _text(_("Skip past the map"))
    skip = f'<a class="skip" href="#slide-{rs.number}-end">{skip_words}</a>'
    return (
        f'<section class="slide" id="slide-{rs.number}" aria-hidden="true" '
        f'aria-label="{escape(label)}">'
        f"<header>{''.join(head)}</header>{skip}{frame}"
        f"{_footer(credit, rs.number, total, _qr(base, rs))}{_notes(rs.slide.text('notes'))}</section>"
    )


def _broken(n: int, total: int, notes: str, exc: BriefingError) -> str:
    problems = [str(p) for p in exc.problems] or [str(exc)]
    items = "".join(f"<li>{escape(p)}</li>" for p in problems)
    label = _("Slide {n} of {total}").format(n=n, total=total)
    head = _("Slide {n} cannot be shown").format(n=n)
    problem = _text(_("The briefing file has a problem on this slide:"))
    return (
        f'<section class="slide broken" id="slide-{n}" aria-hidden="true" '
        f'aria-label="{escape(label)}">'
        f'<header><h1 class="headline">{_text(head)}</h1>'
        f'<p class="caption">{problem}</p></header>'
        f'<ul class="problems">{items}</ul>{_footer("", n, total)}{_notes(notes)}</section>'
    )


def briefing_deck(
    b: Briefing,
    q: Query,
    countries: dict,
    *,
    when: date | None = None,
    public_url: str | None = None,
    start: int = 1,
    progress: Callable[[int, int], object] | None = None,
) -> str:
    """The briefing as one HTML file: a slide a screen, keys to move, a presenter view.

    Parameters
    ----------
    b : Briefing
        The briefing; its texts are untrusted and shown as literal text.
    q : Query
        Runs the slides' queries.
    countries : dict
        Country names (:func:`geo.views.countries_of`).
    when : date, optional
        Date in each slide's credit (default: today).
    public_url : str, optional
        The app's public address (:func:`geo.settings.public_url`): each slide then
        shows a QR code of its view's link under it. Anything but http(s) is ignored.
    start : int
        The slide shown first (1-based) when the URL names none (``#3``).
    progress : callable, optional
        ``progress(done, total)`` after each slide is built.

    Returns
    -------
    str
        HTML with no reference to any other file or address (the only ``http(s)``
        addresses are the QR codes' links and Leaflet's own credit link). A slide
        that cannot be shown (:class:`geo.briefing.BriefingError`) says so, with its
        problems.
    """
    when = when or date.today()
    base = http_url(public_url) if public_url else None
    base = base.rstrip("/") if base else None
    total = len(b.slides)
    sections = []
    for n in range(1, total + 1):
        try:
            rs = render_slide(b, n, q, countries)
        except BriefingError as exc:
            sections.append(_broken(n, total, b.slides[n - 1].text("notes"), exc))
        else:
            sections.append(_slide(rs, total, base, when))
        if progress is not None:
            progress(n, total)
    if not sections:
        empty = _text(_("This briefing has no slide"))
        sections.append(
            f'<section class="slide"><header><h1 class="headline">{empty}</h1></header></section>'
        )
    first = min(max(int(start), 1), max(total, 1))
    return (
        f"<!doctype html>\n<html lang='{language()}'><head><meta charset='utf-8'>"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(b.text('title'))}</title><style>{CSS}</style></head>"
        f'<body data-start="{first}">\n'
        + "\n".join(sections)
        + f"\n<script>{_js()}</script></body></html>\n"
    )


__all__ = ["briefing_deck"]
