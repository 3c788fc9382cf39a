"""app_pages._server: the settings the app makes in Streamlit's own modules."""

from __future__ import annotations

import importlib

from streamlit.watcher import polling_path_watcher


def test_config_files_are_polled_every_five_seconds_once_the_app_has_run(monkeypatch):
    """Streamlit 1.67 (pinned) polls its config.toml files every 0.2 s through this
    module constant, read at each poll; the app's setting must reach it (a Streamlit
    that renamed it would leave the app polling 25 times as often, silently)."""
    monkeypatch.setattr(polling_path_watcher, "_POLLING_PERIOD_SECS", 0.2)
    server = importlib.import_module("app_pages._server")
    server.slow_config_polling()
    assert polling_path_watcher._POLLING_PERIOD_SECS == server.CONFIG_POLL_SECONDS == 5.0


def _counting_compile(monkeypatch) -> list[str]:
    from streamlit.runtime.scriptrunner import script_cache

    compiled: list[str] = []

    def counting(source, filename, *args, **kwargs):
        compiled.append(filename)
        return compile(source, filename, *args, **kwargs)

    monkeypatch.setattr(script_cache, "compile", counting, raising=False)
    return compiled


def test_a_page_is_not_compiled_again_when_streamlit_empties_its_script_cache(
    monkeypatch, tmp_path
):
    """Streamlit clears its script cache when the last session closes; an unchanged
    page must not be compiled again for the next viewer."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    importlib.import_module("app_pages._server").keep_compiled_scripts()
    compiled = _counting_compile(monkeypatch)
    page = tmp_path / "page.py"
    page.write_text("x = 1\n", encoding="utf-8")
    cache = ScriptCache()
    first = cache.get_bytecode(str(page))
    cache.clear()  # what Streamlit does when the last viewer leaves
    again = cache.get_bytecode(str(page))
    assert again is first and compiled == [str(page)]


def test_an_edited_page_is_compiled_afresh(monkeypatch, tmp_path):
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    importlib.import_module("app_pages._server").keep_compiled_scripts()
    compiled = _counting_compile(monkeypatch)
    page = tmp_path / "page.py"
    page.write_text("x = 1\n", encoding="utf-8")
    cache = ScriptCache()
    cache.get_bytecode(str(page))
    page.write_text("x = 22\n", encoding="utf-8")
    cache.clear()
    ns: dict = {}
    exec(cache.get_bytecode(str(page)), ns)
    assert ns["x"] == 22 and len(compiled) == 2
