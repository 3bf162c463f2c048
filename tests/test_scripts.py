"""The scripts module and the example programs it runs: what each one prints and how it ends."""

import multiprocessing
import os
import subprocess
import sys

import pytest  # noqa: E402

from multicore_guide import scripts  # noqa: E402
from multicore_guide.start_methods import documented_default_start_method  # noqa: E402


def test_exception_lines_keep_the_names_and_messages():
    text = (
        "Traceback (most recent call last):\n  File 'x.py', line 1\nRuntimeError: \n"
        "        An attempt was\n  made\n\nRuntimeError: \n   An attempt was made\n\n"
        "/a/b.py:66: DeprecationWarning: careful\n  self.pid = os.fork()\n"
        "concurrent.futures.process.BrokenProcessPool: gone\n"
    )
    assert scripts.exception_lines(text) == [
        "RuntimeError: An attempt was made",
        "concurrent.futures.process.BrokenProcessPool: gone",
    ]
    assert "DeprecationWarning: careful" in scripts.exception_lines(
        text, warnings=True
    )
    with pytest.raises(TypeError):
        scripts.exception_lines(None)


def test_exception_lines_ignore_the_colour_codes_of_314():
    coloured = "Traceback\n\x1b[1;35mKeyboardInterrupt\x1b[0m\n\x1b[1;35mValueError\x1b[0m: \x1b[35mbad\x1b[0m\n"
    assert (
        scripts.plain_text(coloured)
        == "Traceback\nKeyboardInterrupt\nValueError: bad\n"
    )
    assert scripts.exception_lines(coloured) == ["ValueError: bad"]
    with pytest.raises(TypeError):
        scripts.plain_text(b"bytes")


def test_forced_colour_reaches_a_child_and_is_removed():
    # a Jupyter kernel sets FORCE_COLOR=1; 3.13 and newer then colour a script's traceback
    import os
    import subprocess
    import sys

    env = {**os.environ, "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    env.pop("PYTHON_COLORS", None)
    done = subprocess.run(
        [sys.executable, "-c", "raise ValueError('bad')"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert ("\x1b[" in done.stderr) == (sys.version_info >= (3, 13))
    assert scripts.exception_lines(done.stderr) == ["ValueError: bad"]


def test_unguarded_example_fails_and_guarded_one_works():
    unguarded = scripts.run_example("guide_example2_unguarded.py")
    assert unguarded.returncode != 0
    assert any(
        line.startswith("RuntimeError: An attempt has been made")
        for line in unguarded.exceptions()
    )
    guarded = scripts.run_example("guide_example2_guarded.py")
    assert (
        guarded.returncode == 0
        and guarded.stdout == "cubes: [1, 8, 27, 64, 125]\n"
    )


def test_a_main_module_without_a_file_breaks_a_spawn_pool():
    run = scripts.run_example("notebook_like.py", as_command=True)
    assert run.stdout == "the parent got BrokenProcessPool\n"
    # 3.11 says "Can't get attribute 'cube_number' on <module '__main__'>",
    # 3.14 "module '__main__' has no attribute 'cube_number'": pin the type and the name
    assert any(
        line.startswith("AttributeError:") and "'cube_number'" in line
        for line in run.exceptions()
    )


def test_daemon_child_is_ended_at_exit():
    run = scripts.run_example("daemon_at_exit.py", "daemon", "30")
    assert run.returncode == 0 and "daemon=True" in run.stdout
    # not a speed check: the daemon sleeps 30 s, so a script that lasted that
    # long would mean the child was waited for instead of ended at exit
    assert run.seconds < 20


def test_fork_with_threads_warns_from_312():
    run = scripts.run_example("fork_with_threads.py", warnings="always")
    assert "child exit code: 0" in run.stdout
    warned = any(
        "multi-threaded" in line for line in run.exceptions(warnings=True)
    )
    assert warned == (sys.version_info >= (3, 12))


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: scripts.example_path("nope.py"), ValueError),
        (lambda: scripts.example_path("__init__.py"), ValueError),
        (lambda: scripts.example_path("../scripts.py"), ValueError),
        (lambda: scripts.example_path(3), TypeError),
        (lambda: scripts.run_python("-c pass"), TypeError),
        (lambda: scripts.run_python(["-c", "pass"], timeout=0), ValueError),
    ],
)
def test_script_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


def test_run_python_captures_both_streams():
    run = scripts.run_python(
        [
            "-c",
            "import sys; print('out'); print('err', file=sys.stderr); sys.exit(4)",
        ]
    )
    assert (run.returncode, run.stdout, run.stderr) == (4, "out\n", "err\n")


@pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(),
    reason="needs fork and forkserver",
)
def test_what_breaks_under_forkserver_and_spawn():
    import json

    run = scripts.run_example("what_breaks.py")
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert results["fork"] == {
        "global set under the guard": "30",
        "lambda": "2",
        "local function": "11",
        "state filled by the parent": "'loaded'",
    }
    for method in ("forkserver", "spawn"):
        outcome = results[method]
        assert (
            outcome["global set under the guard"] == "NameError in the child"
        )
        assert outcome["lambda"] == "PicklingError in the parent"
        # 3.11 to 3.13 raise AttributeError for a local function, 3.14 PicklingError
        assert outcome["local function"] in (
            "AttributeError in the parent",
            "PicklingError in the parent",
        )
        assert outcome["state filled by the parent"] == "'missing'"
    assert results["default"] == results[results["default is"]]
    assert results["default is"] == documented_default_start_method(
        sys.platform, sys.version_info[:2]
    )


@pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(),
    reason="needs forkserver",
)
def test_forkserver_preload_script_times_each_setting():
    import json

    for setting in ("default", "numpy"):
        run = scripts.run_example("forkserver_preload.py", setting, "2")
        assert run.returncode == 0, run.stderr
        result = json.loads(run.stdout)
        assert result["setting"] == setting and len(result["ms"]) == 2


def test_stderr_to_file_catches_what_a_child_writes_to_fd_2():
    code = "import sys; sys.stderr.write('ValueError: from the child\\n')"
    with scripts.stderr_to_file() as child:
        subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
        assert child.text == ""  # filled in when the block ends
    assert scripts.exception_lines(child.text) == [
        "ValueError: from the child"
    ]


def test_stderr_to_file_restores_fd_2_after_an_exception():
    before = os.fstat(2)
    with pytest.raises(RuntimeError):
        with scripts.stderr_to_file():
            raise RuntimeError("inside the block")
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
