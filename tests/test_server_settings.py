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
