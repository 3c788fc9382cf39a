"""Queries a view starts ahead (geo.views.memo's ``prefetch`` on QUERY_POOL, issue 19)
give the figures the same queries give one after another, each is used, and a query
the pool has not begun, or that fails, behaves as if the page had run it itself. And
the run that sends a new state's map waits for the map's report before the rest of the
page only in a browser whose map reports."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_pages import _ui
from benchmarks.pages import make_pages
from geo.views import countries_of, direct_query, memo
from tests.conftest import REPO


def _serial(q):
    """``q`` without its ``start``: every query on the calling thread, in turn."""
    return lambda name, **params: q(name, **params)


class _Watched:
    """A ``q`` whose started queries are recorded, with whether the view took each."""

    def __init__(self, q):
        self._q = q
        self.started: list[tuple[str, dict, Future]] = []

    def __call__(self, name, **params):
        return self._q(name, **params)

    def start(self, name, params):
        fut = self._q.start(name, params)
        self.started.append((name, params, fut))
        return fut


@pytest.mark.parametrize("name", ["overview", "routes", "camps", "cities", "cifal"])
def test_prefetched_views_equal_serial_ones_and_use_every_query_started(name, con):
    page = {p.name: p for p in make_pages(direct_query(con))}[name]
    countries = countries_of(con)
    scenarios = page.scenarios[:: max(1, len(page.scenarios) // 6)]
    for params in scenarios:
        watched = _Watched(direct_query(con))
        ahead = page.build(watched, countries, params)
        serial = page.build(_serial(direct_query(con)), countries, params)
        assert repr(ahead.spec) == repr(serial.spec), (name, params)
        if hasattr(ahead, "headline"):
            assert repr(ahead.headline) == repr(serial.headline), (name, params)
        assert watched.started, f"{name} starts no query ahead"
        for qname, qparams, fut in watched.started:
            # a query the view started and never asked for would be wasted work
            assert fut.done(), (name, params, qname, qparams)


def test_a_query_the_pool_has_not_begun_runs_on_the_page_thread():
    ran = []

    def q(name, **params):
        ran.append(name)
        return pd.DataFrame({"v": [1]})

    never = Future()  # a task still queued: it can be cancelled
    q.start = lambda name, params: never
    m = memo(q)
    m.prefetch(("a", {}))
    assert m("a")["v"].tolist() == [1]
    assert ran == ["a"] and never.cancelled()


def test_a_query_under_way_is_waited_for_not_run_twice():
    ran = []

    def q(name, **params):
        ran.append(name)
        return pd.DataFrame({"v": [0]})

    running = Future()
    running.set_running_or_notify_cancel()  # begun: it cannot be cancelled
    threading.Timer(0.05, running.set_result, [pd.DataFrame({"v": [2]})]).start()
    q.start = lambda name, params: running
    m = memo(q)
    m.prefetch(("a", {}))
    assert m("a")["v"].tolist() == [2]
    assert m("a")["v"].tolist() == [2]  # kept, as any result
    assert ran == []


def test_a_failing_query_started_ahead_raises_where_the_view_asks_for_it(con):
    q = memo(direct_query(con))
    q.prefetch(("incident_bins", {"cell": 1.0}))  # parameters missing: the query fails
    with pytest.raises(TypeError, match="needs parameters"):
        q("incident_bins", cell=1.0)


def test_a_runner_without_start_prefetches_nothing():
    calls = []

    def q(name, **params):
        calls.append(name)
        return pd.DataFrame()

    m = memo(q)
    m.prefetch(("a", {}), ("b", {}))
    assert calls == []
    m("a")
    assert calls == ["a"]


def _routes_app(db_path, monkeypatch, waits: list) -> AppTest:
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    monkeypatch.setattr(_ui, "await_map_report", lambda: waits.append(True))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.switch_page("app_pages/routes.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _region_box(at: AppTest):
    return next(m for m in at.multiselect if m.label == "Region")


def _twin_tables(at: AppTest) -> int:
    return sum(1 for e in at.expander if e.label == "Map as a table")


def test_a_map_that_never_reports_never_holds_the_page(db_path, monkeypatch):
    waits: list = []
    at = _routes_app(db_path, monkeypatch, waits)
    box = _region_box(at)
    box.set_value([box.options[0]]).run()
    assert not at.exception, at.exception
    assert waits == []  # Streamlit's test client draws no map: nothing to wait for
    assert _twin_tables(at) == 1


def test_a_new_state_in_a_reporting_map_waits_for_its_report_then_sends_the_rest(
    db_path, monkeypatch
):
    waits: list = []
    at = _routes_app(db_path, monkeypatch, waits)
    # the browser's map has reported its view of the state it drew
    at.session_state["routes_map"] = {"zoom": 2, "selected_tags": ["drawn-before"]}
    at.run()
    assert waits == [True]  # its state is not this run's: the run waited for the report
    box = _region_box(at)
    box.set_value([box.options[0]]).run()
    assert not at.exception, at.exception
    assert waits == [True, True]
    # no report came (this client has no map): the run went on, the table with it
    assert _twin_tables(at) == 1
    assert not [c for c in at.caption if "Loading once the map has drawn" in c.value]
