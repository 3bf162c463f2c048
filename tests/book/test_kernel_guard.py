"""The kernel startup file that `make nbval` relies on really guards the default start method."""

import os
import subprocess
import sys
from pathlib import Path

STARTUP = (
    Path(__file__).resolve().parents[1]
    / "ipython"
    / "profile_default"
    / "startup"
    / "00_multicore_guide.py"
)

PROBE = f"""
import concurrent.futures, multiprocessing, types
hooks = []
events = types.SimpleNamespace(register=lambda name, fn: hooks.append((name, fn)))
get_ipython = lambda: types.SimpleNamespace(events=events)
exec(open({str(STARTUP)!r}).read())
assert [name for name, _ in hooks] == ["post_run_cell"]
from multicore_guide.workers import square
try:
    with concurrent.futures.ProcessPoolExecutor(1) as pool:
        list(pool.map(square, [3]))
    print("default pool ran")
except RuntimeError:
    print("default pool refused")
ctx = multiprocessing.get_context("spawn")
with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as pool:
    print("explicit pool gave", list(pool.map(square, [3])))
"""


def run_probe(method):
    env = dict(os.environ, MULTICORE_GUIDE_DEFAULT_START_METHOD=method)
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_guard_refuses_the_default_and_allows_an_explicit_context():
    assert run_probe("guard").splitlines() == [
        "default pool refused",
        "explicit pool gave [9]",
    ]


def test_a_named_method_becomes_the_default():
    assert run_probe("spawn").splitlines() == [
        "default pool ran",
        "explicit pool gave [9]",
    ]
