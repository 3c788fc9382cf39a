"""A seeded random walk through each map page's widgets (issue 13, "Journey tests").

Each step picks a widget the page shows (a multiselect option to add or drop, a slider
thumb to move, a selectbox or radio option, a toggle, a tab below the map, a layer in
the layer picker) and acts on it as a user does. After every step: no exception box,
the headline equals SQL for the URL's state, the layer picker and the map agree, a data
layer is drawn whenever the selection has data, and a filter change switches no layer
off. Every few steps (and after the last) the URL is opened in a fresh browser context,
which must show the same widgets, headline, layers and view.

Short by default (CI); longer with ``--walk-steps 200`` or ``ATLAS_WALK_STEPS=200``.
The seed is printed (and named in any failure): replay with ``--walk-seed`` or
``ATLAS_WALK_SEED``.
"""

from __future__ import annotations

import os
import random

import pytest

from tests.journeys import PICKER, Journey
from tests.test_journeys import PATHS, check_link, check_screen

pytestmark = pytest.mark.browser

DEFAULT_STEPS = 4
DEFAULT_SEED = 1234
ROUNDTRIP_EVERY = 4
SKIP_OPTIONS = {"Select all"}


@pytest.fixture(scope="module")
def walk(request) -> tuple[int, int]:
    """(steps per page, seed) from the command line, the environment or the defaults."""
    steps = request.config.getoption("--walk-steps") or int(
        os.environ.get("ATLAS_WALK_STEPS", DEFAULT_STEPS)
    )
    seed = request.config.getoption("--walk-seed")
    if seed is None:
        # A fixed seed keeps CI reproducible; ATLAS_WALK_SEED=random explores new walks.
        env = os.environ.get("ATLAS_WALK_SEED", str(DEFAULT_SEED))
        seed = random.SystemRandom().randrange(10**6) if env == "random" else int(env)
    print(f"\nrandom walk: {steps} steps per page, seed {seed} (replay: --walk-seed {seed})")
    return steps, seed


def actions(j: Journey, rng: random.Random) -> list[tuple[str, callable]]:
    """The actions the page offers now: (description, do-it)."""
    out = []
    for key, value in j.widgets().items():
        kind, _, label = key.partition(":")
        if kind == "multiselect":
            out.append((f"add to {label}", lambda label=label: add_option(j, rng, label)))
            for v in value:
                out.append(
                    (
                        f"drop {v!r} from {label}",
                        lambda label=label, v=v: j.multiselect_remove(label, v),
                    )
                )
        elif kind == "slider":
            for thumb in range(len(value)):
                key_name = rng.choice(
                    ["ArrowLeft", "ArrowRight", "ArrowLeft", "ArrowRight", "Home", "End"]
                )
                times = rng.randint(1, 3)
                out.append(
                    (
                        f"{key_name} x{times} on {label} (thumb {thumb})",
                        lambda label=label, k=key_name, t=times, th=thumb: j.slider_keys(
                            label, k, t, th
                        ),
                    )
                )
        elif kind == "selectbox":
            out.append((f"choose in {label}", lambda label=label: choose(j, rng, label)))
        elif kind == "radio":
            out.append((f"click in {label}", lambda label=label: click_radio(j, rng, label)))
        elif kind == "toggle":
            out.append((f"flip {label}", lambda label=label: j.toggle(label)))
    tabs = j.tabs()
    if len(tabs) > 1:
        name = rng.choice(tabs)
        out.append((f"open tab {name!r}", lambda: j.tab(name)))
    return out


def add_option(j: Journey, rng: random.Random, label: str) -> str:
    options = [o for o in j.multiselect_options(label) if o and o not in SKIP_OPTIONS]
    if not options:
        return "nothing to add"
    pick = rng.choice(options[:40])
    j.multiselect_add(label, pick)
    return pick


def choose(j: Journey, rng: random.Random, label: str) -> str:
    pick = rng.choice(j.select_options(label))
    j.select(label, pick)
    return pick


def click_radio(j: Journey, rng: random.Random, label: str) -> str:
    box = j.page.locator("[data-testid='stRadio']").filter(has_text=label).first
    names = [t.strip() for t in box.locator("[data-testid='stRadioOption']").all_inner_texts()]
    pick = rng.choice(names)
    j.radio(label, pick)
    return pick


@pytest.mark.parametrize("page", ["overview", "routes", "camps", "cities", "cifal"])
def test_random_walk(page, walk, server, browser, con):
    """Random widget actions on one page, the invariants checked after each."""
    steps, seed = walk
    rng = random.Random(f"{seed}-{page}")
    j = Journey(server, browser)
    log: list[str] = []
    try:
        j.open(PATHS.get(page, page))
        state = check_screen(j, con, page)
        for n in range(1, steps + 1):
            choices = actions(j, rng)
            what, do = rng.choice(choices)
            result = do()
            log.append(f"{n}. {what}" + (f": {result}" if isinstance(result, str) else ""))
            off_before = sum(not o["shown"] for o in state["overlays"])
            picker = what.endswith(PICKER)
            try:
                state = check_screen(j, con, page, None if picker else off_before)
                if n % ROUNDTRIP_EVERY == 0 or n == steps:
                    check_link(server, browser, con, page, j)
            except AssertionError as e:
                raise AssertionError(
                    f"seed {seed}, page {page}, after step {n} ({j.page.url}):\n"
                    + "\n".join(log)
                    + f"\n{e}"
                ) from e
        print(f"{page}: " + "; ".join(log))
    finally:
        j.close()
