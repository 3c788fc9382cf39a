"""Process-wide Streamlit settings that its configuration file cannot make, made when
the app first imports this module."""

from __future__ import annotations

from streamlit.watcher import polling_path_watcher

# Streamlit polls its two config.toml paths for edits every 0.2 s, on threads of its own,
# whatever server.fileWatcherType says (streamlit/web/bootstrap.py, 1.67). A deployed
# server's configuration never changes while it runs, and those polls took 2 ms of CPU a
# second: 9 ms of every page view a server serves one after another (issue 19, the
# threads' own CPU in /proc). Streamlit reads the period at every poll, so a longer one
# takes effect at once; an edited config.toml is still read, within this many seconds.
CONFIG_POLL_SECONDS = 5.0


def slow_config_polling() -> None:
    """Poll Streamlit's configuration files every :data:`CONFIG_POLL_SECONDS`."""
    if hasattr(polling_path_watcher, "_POLLING_PERIOD_SECS"):  # (a later Streamlit: no-op)
        polling_path_watcher._POLLING_PERIOD_SECS = CONFIG_POLL_SECONDS


slow_config_polling()  # once per process: Python imports this module once
