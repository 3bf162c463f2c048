"""tests/private_shm.sh, which `make nbval` wraps around nbval: it must catch a leak."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "private_shm.sh"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="a private /dev/shm needs root and unshare",
)


def run(code):
    # a short wait for resource trackers: these commands start none
    env = {**os.environ, "PRIVATE_SHM_WAIT": "1"}
    return subprocess.run(
        [str(SCRIPT), sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_a_run_that_leaves_a_file_in_dev_shm_fails():
    done = run("open('/dev/shm/sem.mp-left-behind', 'w').close()")
    assert done.returncode != 0
    assert (
        "left 1 entries" in done.stderr and "sem.mp-left-behind" in done.stderr
    )
    # the file was made in the private /dev/shm, never in the machine's
    assert not Path("/dev/shm/sem.mp-left-behind").exists()


def test_a_run_that_unlinks_what_it_made_passes():
    done = run(
        "from multiprocessing import shared_memory\n"
        "block = shared_memory.SharedMemory(create=True, size=4096)\n"
        "block.close(); block.unlink()"
    )
    assert done.returncode == 0, done.stderr
    assert "/dev/shm is empty after the run" in done.stdout


def test_the_command_fails_the_run():
    assert run("raise SystemExit(3)").returncode == 3
