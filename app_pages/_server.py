"""Process-wide Streamlit settings that its configuration file cannot make, made when
the app first imports this module."""

from __future__ import annotations

import os
import threading
from types import CodeType

from streamlit import config
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
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


# Compiled page scripts by (path, modification time, size). Streamlit empties its own
# script cache whenever the last open session closes (websocket_session_manager.py,
# 1.67), so a server that views come to one at a time (a presenter's rehearsal, the
# benchmark, a quiet hour) compiled app.py and the page again for every viewer: 4 ms of
# each view (py-spy, issue 19). A file edited since is compiled afresh: its time or size
# differs.
_COMPILED: dict[tuple[str, int, int, bool], CodeType] = {}
_COMPILED_LOCK = threading.Lock()


def keep_compiled_scripts() -> None:
    """Reuse a page script's bytecode across Streamlit's script-cache clears while the
    file is unchanged."""
    original = ScriptCache.get_bytecode
    if getattr(original, "atlas_keeps_compiled", False):
        return

    def get_bytecode(self: ScriptCache, script_path: str):
        path = os.path.abspath(script_path)
        try:
            st = os.stat(path)
        except OSError:
            return original(self, script_path)  # Streamlit's own error
        key = (path, st.st_mtime_ns, st.st_size, bool(config.get_option("runner.magicEnabled")))
        code = _COMPILED.get(key)
        if code is None:
            code = original(self, script_path)
            with _COMPILED_LOCK:
                _COMPILED[key] = code
        return code

    get_bytecode.atlas_keeps_compiled = True
    ScriptCache.get_bytecode = get_bytecode


slow_config_polling()  # once per process: Python imports this module once
keep_compiled_scripts()
