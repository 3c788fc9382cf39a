"""geo.heap: the server's long-lived objects leave the collector; pending garbage does not."""

from __future__ import annotations

import gc
import weakref

from geo.heap import freeze_long_lived


class _Node:
    pass


def test_freeze_collects_garbage_first_then_freezes_the_living():
    alive = _Node()
    alive.me = alive  # a reference cycle still in use
    dead = _Node()
    dead.me = dead  # a reference cycle nobody refers to
    dead_ref = weakref.ref(dead)
    del dead
    try:
        n = freeze_long_lived()
        assert dead_ref() is None  # collected, not kept forever
        # At least what it froze: a page script still running in another thread of this
        # test process (an AppTest's) may freeze a few more objects in the meantime.
        assert 0 < n <= gc.get_freeze_count()
        assert not any(o is alive for o in gc.get_objects())  # out of future scans
    finally:
        gc.unfreeze()
    assert any(o is alive for o in gc.get_objects())
