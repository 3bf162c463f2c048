"""Shared fixtures: a multiprocessing context per start method the platform offers."""

import multiprocessing

import pytest

# spawn and forkserver are the methods that re-import workers by name, so they
# are the ones that catch a worker a child cannot find
CHILD_IMPORTING_METHODS = [m for m in ("spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]


@pytest.fixture(params=CHILD_IMPORTING_METHODS)
def child_context(request):
    """A spawn or forkserver context (each test runs once per method)."""
    return multiprocessing.get_context(request.param)
