"""The HTML deck of a briefing (geo/deck.py, issue 16): every slide's texts, escaped;
hostile text in a briefing file inert; no reference to anything outside the file; QR
codes only with a public address; a slide that cannot be shown says why."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from geo.briefing import BriefingError, briefings, load_briefing, render_slide
from geo.deck import KEY_FORWARD, briefing_deck
from geo.views import countries_of, direct_query

PUBLIC = "https://atlas.example.org/app"
HOSTILE = "<img src=x onerror=alert(1)></script>\"'><b>"
# src= or href= to any other address, the quote possibly written as an entity (inside
# srcdoc, attributes of the map's page are escaped once more).
OUTSIDE = re.compile(
    r"""\b(src|href)\s*=\s*(?:["']|&quot;|&#x27;|&#39;)?\s*((?:https?:)?//[^"'\s>&]*)""",
    re.IGNORECASE,
)


class Tags(HTMLParser):
    """Every start tag of a document, with its attributes (values unescaped)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def named(self, tag: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag]


@pytest.fixture(scope="module")
def db(db_path):
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    yield direct_query(con), countries_of(con)
    con.close()


@pytest.fixture(scope="module")
def shipped(db):
    """(briefing, rendered slides, deck with a public address, progress calls)."""
    q, countries = db
    b = briefings()[0]
    rendered = [render_slide(b, n, q, countries) for n in range(1, len(b.slides) + 1)]
    calls = []
    deck = briefing_deck(
        b, q, countries, public_url=PUBLIC + "/", progress=lambda *a: calls.append(a)
    )
    return b, rendered, deck, calls


def _briefing(tmp_path, text: str):
    path = tmp_path / "b.toml"
    path.write_text(text, encoding="utf-8")
    return load_briefing(path)


def _toml(s: str) -> str:
    """A TOML basic string of ``s``."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_every_slide_with_its_texts_escaped(shipped):
    b, rendered, deck, calls = shipped
    total = len(b.slides)
    assert calls == [(n, total) for n in range(1, total + 1)]
    doc = Tags(deck)
    sections = doc.named("section")
    assert [s["id"] for s in sections] == [f"slide-{n}" for n in range(1, total + 1)]
    for rs in rendered:
        for text in (rs.headline, rs.caption, rs.page.subtitle, rs.page.citation):
            assert html.escape(text, quote=True) in deck, (rs.number, text)
        assert f'<span class="count">{rs.number} / {total}</span>' in deck
    # One map frame a slide, sandboxed without same-origin, its page handed over whole.
    frames = doc.named("iframe")
    assert len(frames) == total
    for f in frames:
        assert set(f["sandbox"].split()) == {
            "allow-scripts",
            "allow-popups",
            "allow-popups-to-escape-sandbox",
        }
        page = f["data-srcdoc"]
        assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
        # The key forwarder is the page's first script, ahead of Leaflet's.
        assert page.index(KEY_FORWARD) == page.index("<script") < page.index("</head>")
        assert '<header class="atlas-export-head">' not in page and "L.map(" in page


def test_nothing_outside_the_file(shipped):
    b, rendered, deck, _ = shipped
    top = Tags(deck)
    assert not top.named("link") and not top.named("img")
    assert [s for s in top.named("script")] == [{}]  # one inline script, no src
    assert not [a for t, a in top.tags if "src" in a or "srcdoc" in a]
    for f in top.named("iframe"):
        page = Tags(f["data-srcdoc"])
        assert not page.named("link") and not page.named("img") and not page.named("iframe")
        assert all("src" not in a for _, a in page.tags)
    # Anywhere in the text, markup or script: no src= to an address; the only href= to
    # one are the QR codes' links and Leaflet's credit link (an anchor, never fetched).
    found = OUTSIDE.findall(deck)
    assert not [u for k, u in found if k.lower() == "src"]
    hrefs = [u for _, u in found]
    assert len([u for u in hrefs if u.startswith(PUBLIC + "/")]) == len(rendered)
    assert {u for u in hrefs if not u.startswith(PUBLIC + "/")} == {"https://leafletjs.com"}
    assert "@import" not in deck and "url(http" not in deck.replace(" ", "")


def test_qr_codes_only_with_a_public_address(shipped, db, tmp_path):
    b, rendered, deck, _ = shipped
    for rs in rendered:
        url = PUBLIC + rs.link
        assert f'href="{html.escape(url)}"' in deck
    assert deck.count('<figure class="qr"><svg') == len(rendered)
    q, countries = db
    one = _briefing(tmp_path, '[[slides]]\npage = "overview"\nheadline = "h"\n')
    for public in (None, "", "javascript:alert(1)", "file:///etc/passwd"):
        other = briefing_deck(one, q, countries, public_url=public)
        assert "<svg" not in other and 'class="qr"' not in other, public
        assert "javascript:" not in other and "file:///" not in other


def test_hostile_text_is_inert(db, tmp_path):
    q, countries = db
    b = _briefing(
        tmp_path,
        f"title = {_toml(HOSTILE)}\n"
        f'[[slides]]\npage = "overview"\nheadline = {_toml("A " + HOSTILE)}\n'
        f"caption = {_toml('C ' + HOSTILE)}\nnotes = {_toml('N ' + HOSTILE)}\n",
    )
    deck = briefing_deck(b, q, countries)
    doc = Tags(deck)
    assert not doc.named("img") and not doc.named("b")
    assert not [a for _, a in doc.tags if any(k.startswith("on") for k in a)]
    assert len(doc.named("script")) == 1
    for text in ("A " + HOSTILE, "C " + HOSTILE, "N " + HOSTILE):
        assert html.escape(text, quote=True) in deck
    assert f"<title>{html.escape(HOSTILE, quote=True)}</title>" in deck
    # The page's only </script> closes the deck's own script; the map pages' ones are
    # attribute-escaped inside srcdoc.
    assert deck.count("</script>") == 1 and deck.rstrip().endswith("</script></body></html>")
    page = Tags(doc.named("iframe")[0]["data-srcdoc"])
    assert not page.named("img") and not page.named("b")


def test_a_broken_slide_says_why(db, tmp_path):
    q, countries = db
    b = _briefing(
        tmp_path,
        '[[slides]]\npage = "overview"\nheadline = "fine"\n'
        '[[slides]]\npage = "routes"\nparams = { routes = "Nowhere <at> all" }\n'
        'headline = "never shown"\nnotes = "still my notes"\n',
    )
    with pytest.raises(BriefingError) as exc:
        render_slide(b, 2, q, countries)
    deck = briefing_deck(b, q, countries, start=2)
    assert "Slide 2 cannot be shown" in deck and "never shown" not in deck
    assert exc.value.problems
    for p in exc.value.problems:
        assert f"<li>{html.escape(str(p), quote=True)}</li>" in deck
    assert "Nowhere &lt;at&gt; all" in deck and "<at>" not in deck
    assert "still my notes" in deck and '<body data-start="2">' in deck
    assert len(Tags(deck).named("iframe")) == 1  # the good slide's map only
    # start is kept within the slides.
    assert '<body data-start="2">' in briefing_deck(b, q, countries, start=99)
    assert '<body data-start="1">' in briefing_deck(b, q, countries, start=-3)
