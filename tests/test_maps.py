"""Map builders: offline assets, escaping, compact layers, the Overview map."""

from __future__ import annotations

import re

import folium

from geo.maps import (
    REDS,
    Circle,
    CircleLayer,
    Legend,
    base_map,
    escape,
    finish,
    layer_names,
    map_html,
    nice_breaks,
    safe_link,
)
from geo.views import countries_of, direct_query, overview

EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'"


def test_escape_and_links():
    assert escape(EVIL) == (
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#x27;"
    )
    assert safe_link("javascript:alert(1)") == ""
    assert safe_link("data:text/html,hi") == ""
    assert safe_link('https://example.org/"onmouseover=x') == ""
    link = safe_link("https://missingmigrants.iom.int/a?b=1&c=2")
    assert link.startswith('<a href="https://missingmigrants.iom.int/a?b=1&amp;c=2"')
    assert 'rel="noopener noreferrer"' in link


def test_maps_reference_no_external_script(con):
    m = base_map(countries_of(con))
    finish(m, legend=Legend("t", []), credit="Natural Earth")
    html = map_html(m)
    srcs = re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(
        r'<link[^>]+href="([^"]+)"', html
    )
    assert srcs and all(s.startswith("/app/static/leaflet/") for s in srcs), srcs


def test_circle_layer_cannot_break_out_of_its_script():
    layer = CircleLayer(
        "x", [Circle(1, 2, 3, 0, tooltip=escape("</script><script>alert(1)//"))], REDS
    )
    m = folium.Map(tiles=None)
    layer.add_to(m)
    html = map_html(m)
    assert "</script><script>alert(1)" not in html
    assert "&lt;/script&gt;" in html


def test_legend_text_is_escaped():
    legend = Legend(EVIL, [("background:red", EVIL)], note=EVIL)
    assert "<script>" not in legend.html and "&lt;script&gt;" in legend.html


def test_nice_breaks_are_increasing():
    b = nice_breaks(list(range(1, 1000)))
    assert b == sorted(set(b)) and b[0] >= 1


def test_overview_map(con):
    v = overview.build(direct_query(con), countries_of(con))
    names = layer_names(v.map)
    assert names[0] == "Countries (Natural Earth)"
    for n in (
        "Dead and missing (IOM MMP)",
        "Route corridors (schematic)",
        "CIFAL centres (UNITAR)",
    ):
        assert n in names
    located = con.execute(
        "SELECT count(*), sum(dead_and_missing) FROM incidents WHERE lat IS NOT NULL"
    ).fetchone()
    assert (int(v.bins["incidents"].sum()), int(v.bins["dead_and_missing"].sum())) == located
    html = map_html(v.map)
    assert len(html.encode()) <= 300_000, len(html.encode())
    assert (
        v.headline["dead_and_missing"]
        == con.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0]
    )


def test_a_weighed_layer_is_the_one_the_next_render_adds_once():
    """The layer a view builds to weigh its data goes into the next map rendered with
    it (not built a second time), and into that map only; the next render builds its
    own, which writes the same data."""
    from geo import maps
    from geo import mapspec as ms

    layer = ms.CircleLayer(
        name="Weighed",
        datasets=("mmp_export",),
        key="weighed",
        circles=[ms.Circle(10.0, 20.0, 5.0, 0, values=("a",)), ms.Circle(11.0, 21.0, 6.0, 1)],
        colors=["#fee0d2", "#de2d26"],
        tooltip_format="{0}",
        popup_format="<b>{0}</b>",
    )
    spec = ms.MapSpec({}, [layer], [], bounds=[[0, 0], [20, 30]])
    weighed = maps.weighed_layer(layer)
    assert weighed.payload > 0
    first = maps.render(spec)
    assert weighed in first._children.values()
    second = maps.render(spec)
    (again,) = [c for c in second._children.values() if isinstance(c, type(weighed))]
    assert again is not weighed and again.rows_json == weighed.rows_json
