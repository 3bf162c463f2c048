"""Shared fixtures: a multiprocessing context per start method the platform offers.

`make check` sets MULTICORE_GUIDE_QUICK=1 for the inner loop: process tests
then run under forkserver only (not once per method), and tests marked
``slow`` (those that start a cluster, a whole benchmark or a script that
waits on purpose) are skipped. `make test` runs everything.
"""

import multiprocessing
import os

import pytest

QUICK = os.environ.get("MULTICORE_GUIDE_QUICK") == "1"

# spawn and forkserver are the methods that re-import workers by name, so they
# are the ones that catch a worker a child cannot find
CHILD_IMPORTING_METHODS = [
    m
    for m in ("spawn", "forkserver")
    if m in multiprocessing.get_all_start_methods()
]
if QUICK:
    CHILD_IMPORTING_METHODS = CHILD_IMPORTING_METHODS[-1:]


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "slow: starts many processes or waits on purpose; skipped by `make check`",
    )


def pytest_collection_modifyitems(config, items):
    if not QUICK:
        return
    skip = pytest.mark.skip(
        reason="slow: `make test` runs it, `make check` does not"
    )
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(params=CHILD_IMPORTING_METHODS)
def child_context(request):
    """A spawn or forkserver context (each test runs once per method; forkserver only under `make check`)."""
    return multiprocessing.get_context(request.param)
