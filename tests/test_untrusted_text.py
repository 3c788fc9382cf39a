"""Untrusted text is shown as literal text (issue 14, items 1 and 3).

Data values, URL values and briefing files reach Streamlit's Markdown (captions, alerts,
metric labels and help, tab, expander and widget labels) and the briefing's HTML. Three
checks:

* the page code: every such call gets its text from constants, numbers, or
  :func:`geo.views.md_plain` (:func:`geo.views.html_text` where HTML is allowed), so a
  new call that passes a value as it is fails here (an AST walk of ``app_pages/*.py`` and
  ``app.py``);
* the escaping itself, in Python and in Streamlit's own renderer (react-markdown in
  Chromium): the red-team payloads show as written, with no link, image, emphasis,
  colour, icon or maths, and nothing is fetched;
* HTML entities from the MMP endpoint are decoded once at load (no ``&amp;#039;``).
"""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path

import pytest

from geo.views import WORD_JOINER, html_text, md_plain
from tests.conftest import REPO, md_shown

# --------------------------------------------------------------------------- the page code

PAGE_FILES = sorted((REPO / "app_pages").glob("*.py")) + [REPO / "app.py"]
TRUSTED = "# md: trusted"  # on a line of the argument: code-made text, reviewed (say why)

# Streamlit calls whose text is rendered as Markdown: name -> (positional indexes,
# keyword names). Widgets: label and help; radio, pills and segmented control render
# their options (and radio its captions) as Markdown too. selectbox and multiselect
# options are plain text (checked in the browser probe below).
_ALERTS = ((0,), ("body",))
_LABEL = ((0,), ("label", "help"))
MARKDOWN_CALLS = {
    "markdown": ((0,), ("body", "help")),
    "caption": ((0,), ("body", "help")),
    "write": ((0, 1, 2, 3), ()),
    "title": ((0,), ("body", "help")),
    "header": ((0,), ("body", "help")),
    "subheader": ((0,), ("body", "help")),
    "info": _ALERTS,
    "warning": _ALERTS,
    "error": _ALERTS,
    "success": _ALERTS,
    "toast": _ALERTS,
    "metric": ((0, 1, 2), ("label", "value", "delta", "help")),
    "tabs": ((0,), ("tabs",)),
    "expander": ((0,), ("label",)),
    "popover": _LABEL,
    "status": _LABEL,
    "html": ((0,), ("body",)),
    **{
        w: _LABEL
        for w in (
            "button",
            "download_button",
            "link_button",
            "checkbox",
            "toggle",
            "selectbox",
            "multiselect",
            "slider",
            "select_slider",
            "text_input",
            "number_input",
            "text_area",
            "date_input",
            "time_input",
            "file_uploader",
            "color_picker",
        )
    },
    **{w: ((0, 1), ("label", "options", "captions", "help")) for w in ("radio", "pills")},
    "segmented_control": ((0, 1), ("label", "options", "help")),
}
HTML_CALLS = {"html"}  # st.html: always HTML
NUMERIC = {"fmt", "len", "int", "round", "abs", "float"}
NUMERIC |= {"fmt_int", "fmt_num", "fmt_pct", "fmt_date", "fmt_month"}  # geo/i18n.py
# The app's own messages, translated (geo/i18n.py): the catalogues are code, reviewed.
GETTEXT = {"_", "N_", "ngettext"}
# A format spec that a str would refuse (``:,``, ``:d``, ``:.1f``, ``:%d %b %Y``...):
# the value is a number or a date, whatever its name.
NUMERIC_SPEC = re.compile(r"%|[,_]|[bcdeEfFgGnoxX%]$")


def _constant_name(name: str) -> bool:
    """``MMP_CAVEAT``, ``camps.PRECISIONS``: module constants written in the code."""
    return name.isupper() or (name.upper() == name and any(c.isalpha() for c in name))


MUTATORS = {"append", "extend", "insert", "add", "update", "setdefault"}
SCOPES = (ast.Module, ast.FunctionDef, ast.Lambda, ast.GeneratorExp, ast.ListComp, ast.SetComp)


class Checker:
    """Decides whether an expression can only produce trusted (or escaped) text.

    Trusted: constants (literals and ``UPPER_CASE`` names of the code), numbers (``fmt``,
    ``len``, a numeric or date format spec such as ``{n:,}`` or ``{d:%Y}``, which a str
    would refuse) and ``md_plain(...)`` (``html_text(...)`` in HTML). A local name is
    trusted when every value bound to it in its scope is; a parameter, a loop over
    data, a call or an attribute is not.
    """

    def __init__(self, path: Path):
        self.path = path
        self.source = path.read_text(encoding="utf-8")
        self.lines = self.source.splitlines()
        self.tree = ast.parse(self.source)
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
        # (scope, name) -> bound values; ("param", None) and ("iter", expr) for names
        # bound by a parameter or a loop
        self.bindings: dict[tuple[ast.AST, str], list] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    self._bind(t, node.value)
            elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
                self._bind(node.target, node.value)
            elif isinstance(node, ast.For | ast.comprehension):
                self._bind(node.target, ("iter", node.iter))
            elif isinstance(node, ast.FunctionDef | ast.Lambda):
                for a in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
                    self.bindings.setdefault((node, a.arg), []).append(("param", None))
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                self._bind(node.optional_vars, ("param", None))
            elif isinstance(node, ast.NamedExpr):
                self._bind(node.target, node.value)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                # a list or dict filled in place: notes.append(value), names[k] = value
                f, args = node.func, node.args
                if isinstance(f.value, ast.Name) and args and f.attr in MUTATORS:
                    self._bind(f.value, args[-1] if f.attr in ("insert", "setdefault") else args[0])
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                        self._bind(t.value, node.value)
        self._seen: set[tuple[int, bool]] = set()

    def scope_of(self, node: ast.AST) -> ast.AST:
        node = self.parent.get(node)
        while node is not None and not isinstance(node, SCOPES):
            node = self.parent.get(node)
        return node or self.tree

    def _bind(self, target, value) -> None:
        if isinstance(target, ast.Name):
            self.bindings.setdefault((self.scope_of(target), target.id), []).append(value)
        elif isinstance(target, ast.Tuple | ast.List):
            for t in target.elts:  # unpacking: each name takes an element of value
                self._bind(t, ("iter", value) if not isinstance(value, tuple) else value)

    def trusted_line(self, node: ast.AST) -> bool:
        return any(
            TRUSTED in self.lines[i - 1]
            for i in range(node.lineno, (node.end_lineno or node.lineno) + 1)
        )

    def safe(self, node, html_ok: bool = False) -> bool:
        if self.trusted_line(node):
            return True
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(self.safe(v, html_ok) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            spec = node.format_spec
            spec_text = (
                "".join(str(v.value) for v in spec.values if isinstance(v, ast.Constant))
                if isinstance(spec, ast.JoinedStr)
                else ""
            )
            if node.conversion == -1 and spec_text and NUMERIC_SPEC.search(spec_text):
                return True
            return node.conversion == -1 and self.safe(node.value, html_ok)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.safe(node.left, html_ok) and self.safe(node.right, html_ok)
        if isinstance(node, ast.BinOp):  # arithmetic on numbers only
            return not any(
                isinstance(n, ast.Constant) and isinstance(n.value, str)
                for n in (node.left, node.right)
            ) and all(self.safe(n, html_ok) for n in (node.left, node.right))
        if isinstance(node, ast.BoolOp):  # a or b
            return all(self.safe(v, html_ok) for v in node.values)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body, html_ok) and self.safe(node.orelse, html_ok)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return all(self.safe(e, html_ok) for e in node.elts)
        if isinstance(node, ast.Attribute):
            return _constant_name(node.attr)
        if isinstance(node, ast.Subscript):  # an entry of a constant table
            return self.safe(node.value, html_ok) and not isinstance(node.value, ast.JoinedStr)
        if isinstance(node, ast.Name):
            return self._safe_name(node, html_ok)
        if isinstance(node, ast.Call):
            return self._safe_call(node, html_ok)
        if isinstance(node, ast.GeneratorExp | ast.ListComp):
            return self.safe(node.elt, html_ok)
        return False

    def _safe_name(self, node: ast.Name, html_ok: bool) -> bool:
        if _constant_name(node.id):
            return True
        scope = self.scope_of(node)
        while (scope, node.id) not in self.bindings and scope is not self.tree:
            scope = self.scope_of(scope)
        bound = self.bindings.get((scope, node.id))
        if not bound:
            return False
        key = (id(bound), html_ok)
        if key in self._seen:  # a cycle (x = x + ...): judged by its other bindings
            return True
        self._seen.add(key)
        try:
            for value in bound:
                if isinstance(value, tuple):
                    kind, expr = value
                    if kind == "param" or not self.safe(expr, html_ok):
                        return False
                elif not self.safe(value, html_ok):
                    return False
            return True
        finally:
            self._seen.discard(key)

    def _safe_call(self, node: ast.Call, html_ok: bool) -> bool:
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        if name in NUMERIC:
            return True
        if name == ("html_text" if html_ok else "md_plain"):
            return True
        if name in GETTEXT and isinstance(f, ast.Name):
            return all(isinstance(a, ast.Constant) for a in node.args[:2])
        if name == "format" and isinstance(f, ast.Attribute):
            # _("{n} dead").format(n=fmt_int(x)): the message and every value it takes
            values = [*node.args, *(k.value for k in node.keywords)]
            return self.safe(f.value, html_ok) and all(self.safe(v, html_ok) for v in values)
        if name == "join" and isinstance(f, ast.Attribute):
            return self.safe(f.value, html_ok) and all(self.safe(a, html_ok) for a in node.args)
        if name in ("list", "tuple", "sorted"):
            return all(self.safe(a, html_ok) for a in node.args)
        return False


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def unescaped_calls(path: Path) -> list[str]:
    """Calls in a page script that may show untrusted text as Markdown or HTML."""
    checker = Checker(path)
    found = []
    for node in ast.walk(checker.tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name not in MARKDOWN_CALLS:
            continue
        if name in ("title", "join", "format") and not isinstance(node.func, ast.Attribute):
            continue
        positions, keywords = MARKDOWN_CALLS[name]
        html_ok = name in HTML_CALLS or any(
            k.arg == "unsafe_allow_html"
            and not (isinstance(k.value, ast.Constant) and k.value.value is False)
            for k in node.keywords
        )
        args = [a for i, a in enumerate(node.args) if i in positions]
        args += [k.value for k in node.keywords if k.arg in keywords]
        # the options of a widget that renders them: format_func's result is shown
        for k in node.keywords:
            if k.arg == "format_func" and name in ("radio", "pills", "segmented_control"):
                args.append(k.value.body if isinstance(k.value, ast.Lambda) else k.value)
        for arg in args:
            if isinstance(arg, ast.Starred):
                arg = arg.value
            if isinstance(arg, ast.Attribute) and name in ("radio", "pills", "segmented_control"):
                if _constant_name(arg.attr) or arg.attr in ("capitalize", "get"):
                    continue
            if not checker.safe(arg, html_ok):
                text = ast.get_source_segment(checker.source, arg) or ""
                found.append(f"{path.relative_to(REPO)}:{arg.lineno} {name}({text[:80]})")
    return found


def test_every_markdown_call_escapes_untrusted_text():
    """A page that shows a value (a data value, a URL value, a briefing's text) in
    Markdown or HTML must pass it through md_plain (html_text inside HTML)."""
    found = [f for p in PAGE_FILES for f in unescaped_calls(p)]
    assert not found, "text shown without md_plain / html_text:\n" + "\n".join(found)


def test_the_checker_catches_unescaped_values(tmp_path):
    """The walk above can fail: a caption, a metric's help, tab labels and an HTML block
    fed a value are reported; the escaped and numeric forms are not."""
    page = tmp_path / "page.py"
    page.write_text(
        "import streamlit as st\n"
        "from geo.views import md_plain, html_text\n"
        "from app_pages._ui import fmt\n"
        "name = st.query_params.get('from')\n"
        "label = f'Route {name}'\n"
        "st.caption(f'Selection: {name}.')\n"  # 6: flagged
        "st.caption(f'Selection: {md_plain(name)}, {fmt(3)} of {4:,}.')\n"
        "c1, c2 = st.columns(2)\n"
        "c1.metric('Dead', 3, help='On ' + name)\n"  # 9: flagged
        "c1.metric('Dead', 3, help='On ' + md_plain(name))\n"
        "st.tabs([label, 'Table'])\n"  # 11: flagged (through the name)
        "st.markdown(f'<p>{html_text(name)}</p>', unsafe_allow_html=True)\n"
        "st.markdown(f'<p>{md_plain(name)}</p>', unsafe_allow_html=True)\n"  # 13: flagged
        "st.info('; '.join(notes))\n"  # 14: flagged (unknown name)
        "for t in TEXTS:\n"
        "    st.markdown(f'**{t}**')\n"  # a constant table: not flagged
        "st.radio('Mode', [name])\n"  # 17: flagged (radio options are Markdown)
        "st.write(name)  # md: trusted (test)\n"
        "notes = ['Ignored:']\n"
        "notes.append(name)\n"
        "st.caption(' '.join(notes))\n"  # 21: flagged (a list filled with a value)
        "st.caption(_('Route {r}').format(r=md_plain(name)))\n"  # escaped value: fine
        "st.caption(_('Route {r}').format(r=name))\n"  # 23: flagged (a raw value in a message)
        "st.caption(_(name))\n",  # 24: flagged (a value as a message: not from the catalogue)
        encoding="utf-8",
    )
    fake = REPO / "app_pages" / "_untrusted_probe_tmp.py"
    fake.write_text(page.read_text(), encoding="utf-8")
    try:
        found = unescaped_calls(fake)
    finally:
        fake.unlink()
    lines = sorted(int(f.split(":")[1].split()[0]) for f in found)
    assert lines == [6, 9, 11, 13, 14, 17, 21, 23, 24], found


GRID_CALLS = {"dataframe", "data_editor", "table"}


def undefused_tables(path: Path) -> list[str]:
    """Tables and charts shown without :func:`geo.exports.defuse_formulas`: a data grid
    other than through ``app_pages._ui.data_grid``, or an Altair chart of raw data (its table
    view exports CSV)."""
    checker = Checker(path)
    found = []
    for node in ast.walk(checker.tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        where = f"{path.relative_to(REPO)}:{node.lineno} {name}"
        if name in GRID_CALLS and isinstance(node.func, ast.Attribute):
            scope = checker.scope_of(node)
            if not (path.name == "_ui.py" and getattr(scope, "name", "") == "data_grid"):
                found.append(where)
        elif name == "Chart":
            first = node.args[0] if node.args else None
            if not (isinstance(first, ast.Call) and _call_name(first) == "defuse_formulas"):
                found.append(where)
    return found


def test_every_table_is_shown_defused():
    """Issue 14 item 2: what a grid or a chart shows leaves through Streamlit's own
    "Download as CSV", copied cells and the chart's table view, so every table goes
    through data_grid (defuse_formulas) and every chart's data through defuse_formulas."""
    found = [f for p in PAGE_FILES for f in undefused_tables(p)]
    assert not found, "tables shown without defuse_formulas:\n" + "\n".join(found)


def test_the_table_check_catches_raw_tables():
    fake = REPO / "app_pages" / "_untrusted_tables_tmp.py"
    fake.write_text(
        "import altair as alt\n"
        "import streamlit as st\n"
        "from geo.exports import defuse_formulas\n"
        "from app_pages._ui import data_grid\n"
        "st.dataframe(df)\n"  # 5: flagged
        "data_grid(df)\n"
        "alt.Chart(df).mark_line()\n"  # 7: flagged
        "alt.Chart(defuse_formulas(df)).mark_line()\n",
        encoding="utf-8",
    )
    try:
        found = undefused_tables(fake)
    finally:
        fake.unlink()
    assert [int(f.split(":")[1].split()[0]) for f in found] == [5, 7], found


# --------------------------------------------------------------------------- md_plain

LINK = "[Click here](https://evil.example)"
IMAGE = "![x](https://evil.example/p.png)"
RED = ":red[**SECURITY ALERT**]"
IMG_TAG = "<img src=x onerror=alert(1)>"
BREAKOUT = "Caption\n\n</div><script>alert(1)</script>[y](https://evil.example/b)"
PAYLOADS = {
    "link": LINK,
    "image": IMAGE,
    "red": RED,
    "img_tag": IMG_TAG,
    "breakout": BREAKOUT,
    "icon": ":material/warning: Verify your account",
    "logo": ":streamlit: :smile: :+1:",
    "latex": "$x^2$ and $$\\int y$$",
    "heading": "# Heading",
    "list": "- item\n1. item\n> quote",
    "code": "`code` ```fence```",
    "emphasis": "*em* _em_ **strong** __strong__ ~~strike~~",
    "bare_links": "https://evil.example/bare www.evil.example WWW.EVIL.EXAMPLE user@evil.example",
    "autolink": "<https://evil.example/angle> mailto:user@evil.example",
    "entities": "Sa&#039;ada &amp; &lt;b&gt;",
    "badge": ":blue-badge[Badge] :red-background[bg] :small[s]",
    "arrows": "a -> b <- c -- d >= e <= f ~= g <-> h",
    "reference": "[a]\n\n[a]: https://evil.example/ref",
    "setext": "Title\n===",
    "table": "| a | b |\n|---|---|\n| 1 | 2 |",
    "backslash": "C:\\path\\to [x]\\(y\\)",
}


def one_line(text: str) -> str:
    return re.sub(r"[ \t]*[\r\n]+\s*", " ", text)


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_md_plain_escapes_every_markdown_character(name):
    text = PAYLOADS[name]
    md = md_plain(text)
    assert "\n" not in md and "\r" not in md
    # every ASCII punctuation character is escaped: nothing is Markdown syntax any more
    assert not re.search(r"[!-/:-@\[-`{-~]", re.sub(r"\\[!-/:-@\[-`{-~]", "", md)), md
    # Streamlit's text rules (bare links, :material/ icons, emoji, arrows) cannot match
    plain = md.replace("\\", "")
    assert not re.search(r"https?://|(?i:www\.)|\w@\w|:[a-z_/+-]+:|(^|\s)(->|<-|--)(\s|$)", plain)
    assert md_shown(md) == one_line(text)  # ...and it reads as written


def test_html_text_stays_in_its_block():
    out = html_text(BREAKOUT + " \"q\" 's' & <b>")
    assert "\n" not in out and "<" not in out and ">" not in out and '"' not in out
    assert html.unescape(out) == one_line(BREAKOUT + " \"q\" 's' & <b>")


# --------------------------------------------------------------------------- in the browser

PROBE_APP = """
import json
import streamlit as st
from geo.views import html_text, md_plain

P = json.loads({payloads!r})
for k, v in P.items():
    with st.container(key=f"md_{{k}}"):
        st.markdown(md_plain(v))
with st.container(key="places"):
    st.caption(md_plain(P["link"]))
    st.info(md_plain(P["image"]))
    st.warning(md_plain(P["red"]))
    c1, c2 = st.columns(2)
    c1.metric(md_plain(P["red"]), 3, help=md_plain(P["link"]))
    st.tabs([md_plain(P["link"]), md_plain(P["image"])])
    with st.expander(md_plain(P["image"])):
        st.write("inside")
    st.checkbox(md_plain(P["link"]), help=md_plain(P["image"]))
    st.radio(md_plain(P["icon"]), [md_plain(P["link"]), md_plain(P["red"])])
    st.selectbox("Plain options", [P["link"], P["red"]])
with st.container(key="html"):
    st.markdown(
        f'<h1 class="atlas-headline">{{html_text(P["breakout"])}}</h1>',
        unsafe_allow_html=True,
    )
    st.markdown(
        f'<p class="atlas-caption">{{html_text(P["link"] + " " + P["red"])}}</p>',
        unsafe_allow_html=True,
    )
st.caption("probe done")
"""

# Elements that would mean a payload was rendered, not shown.
LIVE = (
    'a[href]:not([href^="#"]), img, script, iframe, strong, em, del, code, h1:not(.atlas-headline), h2, h3, '
    "li, blockquote, table, hr, .katex, .stMarkdownColoredText, .stMarkdownColoredBackground, "
    ".stMarkdownBadge, [role=img], [onerror]"
)
PROBE_DOM = """(live) => {
    const out = {};
    document.querySelectorAll('[class*="st-key-"]').forEach(el => {
        const key = Array.from(el.classList).find(c => c.startsWith('st-key-'));
        const md = el.querySelectorAll('[data-testid=stMarkdownContainer], [data-testid=stTab], '
            + '[data-testid=stExpander] summary, [data-testid=stMetricLabel]');
        const hits = [];
        md.forEach(m => m.querySelectorAll(live).forEach(x => hits.push(x.outerHTML.slice(0, 120))));
        out[key] = {text: el.textContent, live: hits};
    });
    return out;
}"""


@pytest.mark.browser
def test_payloads_show_as_written_in_streamlit(browser, db_path, tmp_path):
    """Streamlit's renderer (react-markdown and its plugins, in Chromium) shows every
    payload through md_plain / html_text as written: no link, image, emphasis, colour,
    icon, maths, heading or list, and nothing fetched from outside."""
    from tests.browser import OfflinePage, Server

    script = tmp_path / "markdown_probe.py"
    script.write_text(PROBE_APP.format(payloads=json.dumps(PAYLOADS)), encoding="utf-8")
    server = Server(db_path, script=str(script), log_prefix="markdown-probe")
    context = browser.new_context(viewport={"width": 1200, "height": 2400})
    try:
        op = OfflinePage(context)
        op.page.goto(server.url, wait_until="domcontentloaded")
        op.page.get_by_text("probe done").wait_for(timeout=30_000)
        # The HTML blocks' renderer is a chunk of its own, loaded on first use: on a busy
        # machine they are drawn seconds after the elements around them.
        op.page.locator("p.atlas-caption").wait_for(timeout=30_000)
        op.page.wait_for_timeout(500)  # lazily loaded plugins (maths, emoji) have run
        found = op.page.evaluate(PROBE_DOM, LIVE)
        for name, text in PAYLOADS.items():
            got = found[f"st-key-md_{name}"]
            assert got["live"] == [], (name, got["live"])
            assert got["text"].replace(WORD_JOINER, "") == one_line(text), name
        places = found["st-key-places"]
        assert places["live"] == [], places["live"]
        text = places["text"].replace(WORD_JOINER, "")
        for payload in (LINK, IMAGE, RED, ":material/warning: Verify your account"):
            assert payload in text, payload
        block = found["st-key-html"]
        assert block["live"] == [], block["live"]
        assert one_line(BREAKOUT) in block["text"] and f"{LINK} {RED}" in block["text"]
        # the blank line did not end the HTML block: the headline holds all of it
        headline = op.page.locator("h1.atlas-headline").inner_text()
        assert headline.replace(WORD_JOINER, "") == one_line(BREAKOUT)
        hrefs = op.page.evaluate(
            "() => Array.from(document.querySelectorAll('a[href], img[src]'))"
            ".map(a => a.getAttribute('href') || a.getAttribute('src'))"
        )
        assert not [h for h in hrefs if "evil" in h and not h.startswith("#")], hrefs
        assert not [u for u in op.blocked if "evil" in u], op.blocked
        assert op.dialogs == [], op.dialogs
    finally:
        context.close()
        server.stop()


HOSTILE_BRIEFING = """title = ':red[**SECURITY ALERT**] [Verify your account](https://evil.example/t)'

[[slides]]
page = "overview"
figures = ["incident_totals"]
headline = "[Click here](https://evil.example/h) <img src=x onerror=alert(1)>"
caption = "Caption\\n\\n</p><script>alert(1)</script>[y](https://evil.example/b) :red[x]"
"""


def test_briefing_texts_stay_text(db_path, tmp_path, monkeypatch):
    """A briefing file's title, headline and caption reach the page escaped: the title
    through md_plain, the headline and caption through html_text, on one line, so the
    caption's blank line cannot end its HTML block (rendering: the probe above)."""
    import tomllib

    from streamlit.testing.v1 import AppTest

    (tmp_path / "hostile.toml").write_text(HOSTILE_BRIEFING, encoding="utf-8")
    written = tomllib.loads(HOSTILE_BRIEFING)
    slide = written["slides"][0]
    assert "\n\n" in slide["caption"]
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    monkeypatch.setenv("ATLAS_BRIEFINGS", str(tmp_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/briefing.py")
    at.run()
    assert not at.exception, at.exception
    # The slides are the embedded HTML deck's (geo/deck.py): every text escaped there.
    deck = next(e for e in at.main if getattr(e, "type", "") == "iframe").proto.srcdoc
    blocks = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<(?:h1|p) class="(headline|caption)">(.*?)</(?:h1|p)>', deck, re.S)
    }
    assert set(blocks) == {"headline", "caption"}, deck[:500]
    for key, inner in blocks.items():
        assert "<" not in inner and ">" not in inner, inner
        assert html.unescape(inner) in (slide[key], one_line(slide[key]))
    assert "<script>alert(1)" not in deck and "<img src=x" not in deck
    title = next(c.value for c in at.caption if c.value.startswith("**"))
    assert md_plain(written["title"]) in title and md_shown(title).startswith(
        f"**{written['title']}**"
    )


# --------------------------------------------------------------------------- MMP entities

ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,30});")


def _endpoint_values(mirror: Path) -> list[str]:
    """Every text value of the endpoint files, as written."""
    values = []
    for path in sorted((mirror / "missing_migrants" / "api").glob("*.json")):
        rows = json.loads(path.read_text(encoding="utf-8"))
        values += [v for row in rows for v in row.values() if isinstance(v, str)]
    return values


def test_endpoint_entities_are_decoded_once(mirror, built, con):
    """The yearly JSON files carry HTML entities (``&#039;``, ``&amp;``); the database
    holds the decoded text, so a page escapes it once ("Sa'ada", not "Sa&amp;#039;ada"),
    and the build report says how many values it decoded."""
    raw = [v for v in _endpoint_values(mirror) if ENTITY.search(v) and html.unescape(v) != v]
    assert raw, "the endpoint files hold no entity any more: nothing to check"
    report = built[2]
    assert f"{len(raw):,} text values with HTML entities" in report, report[-2000:]
    stored = set()
    for col in ("location", "country", "information_source", "url"):
        stored |= {
            v
            for (v,) in con.execute(f"SELECT DISTINCT {col} FROM incidents").fetchall()  # noqa: S608
            if v
        }
    # values of the years the endpoint supplies are stored decoded ...
    decoded = {html.unescape(v).strip() for v in raw} & stored
    assert len(decoded) >= 5, sorted(decoded)
    assert any("'" in v for v in decoded) and not any(ENTITY.search(v) for v in decoded)
    # ... and none is stored as written
    assert not ({v.strip() for v in raw} & stored)


def test_no_table_text_holds_an_entity(con):
    """No text column of any table holds an HTML entity: decoded once, at load."""
    hits = []
    for (table,) in con.execute("SHOW TABLES").fetchall():
        cols = con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = ? AND data_type = 'VARCHAR'",
            [table],
        ).fetchall()
        for (col,) in cols:
            n = con.execute(
                f'SELECT count(*) FROM "{table}" WHERE regexp_matches("{col}", ?)',  # noqa: S608
                [ENTITY.pattern],
            ).fetchone()[0]
            if n:
                hits.append((table, col, n))
    assert not hits, hits
