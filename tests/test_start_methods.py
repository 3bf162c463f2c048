"""The start-method chapter's module: documented defaults, and a task whose cost is an import."""

import sys

import pytest  # noqa: E402

from multicore_guide import scripts  # noqa: E402
from multicore_guide.start_methods import documented_default_start_method  # noqa: E402


@pytest.mark.parametrize(
    "platform, version, expected",
    [
        ("linux", (3, 11), "fork"),
        ("linux", (3, 13, 1), "fork"),
        ("linux", (3, 14), "forkserver"),
        ("freebsd14", (3, 15), "forkserver"),
        ("darwin", (3, 7), "fork"),
        ("darwin", (3, 8), "spawn"),
        ("win32", (3, 11), "spawn"),
    ],
)
def test_documented_defaults(platform, version, expected):
    assert documented_default_start_method(platform, version) == expected


def test_documented_default_matches_this_interpreter():
    expected = documented_default_start_method(
        sys.platform, sys.version_info[:2]
    )
    run = scripts.run_python(
        ["-c", "import multiprocessing as mp; print(mp.get_start_method())"]
    )
    assert run.stdout.strip() == expected


@pytest.mark.parametrize(
    "args, error",
    [
        (("linux", "3.12"), TypeError),
        ((3, (3, 12)), TypeError),
        (("linux", (2, 7)), ValueError),
    ],
)
def test_documented_default_bad_input(args, error):
    with pytest.raises(error):
        documented_default_start_method(*args)


def test_import_numpy_returns_the_version():
    import numpy

    from multicore_guide.start_methods import import_numpy

    assert import_numpy() == numpy.__version__
