"""Rendering folium maps without compiling their output as templates again.

branca's ``MacroElement.render`` puts each element's rendered header, HTML and script
into a new ``Element(text)``, and ``Element.__init__`` compiles that text as a Jinja
template, to be rendered once more, unchanged, when the page is assembled. For a map of
the Atlas that text is hundreds of kilobytes of JavaScript (the basemap, thousands of
circles): lexing it took half of a map's render (25 ms of 40, issue 19's filter-change
profile). Text with no Jinja markup renders to itself, so it is held as plain text;
text with markup keeps branca's path. :func:`install` swaps the method once;
``tests/test_view_cache.py`` checks that every page's map renders byte for byte as
branca renders it.
"""

from __future__ import annotations

from branca.element import Element, Figure, MacroElement

_MARKUP = ("{{", "{%", "{#")


class PlainText(Element):
    """Rendered output held as it is (no template to compile)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        """The text itself."""
        return self.text


def held_text(text: str) -> Element:
    """An element for ``text``: held as it is unless it has Jinja markup (compiling a
    template costs about half a millisecond a map, for each fixed style sheet)."""
    return Element(text) if any(m in text for m in _MARKUP) else PlainText(text)


def _render(self, **kwargs) -> None:
    # branca 0.8 MacroElement.render, with the parts held by held_text.
    figure = self.get_root()
    assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
    parts = self._template.module.__dict__
    for part, holder in (
        ("header", figure.header),
        ("html", figure.html),
        ("script", figure.script),
    ):
        fn = parts.get(part)
        if fn is not None:
            holder.add_child(held_text(fn(self, kwargs)), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


BRANCA_RENDER = MacroElement.render


def install() -> None:
    """Render every ``MacroElement`` with :func:`_render` (idempotent)."""
    MacroElement.render = _render


def uninstall() -> None:
    """branca's own ``MacroElement.render`` again (for the comparison test)."""
    MacroElement.render = BRANCA_RENDER
