"""Tests for multicore_guide.cpus: cgroup quotas from fake files, the worker-count precedence."""

import os
import signal
import subprocess
import sys

import pytest

from multicore_guide.cpus import (
    CpuQuota,
    WorkerCount,
    affinity_count,
    choose_workers,
    pin_to_cpus,
    read_cpu_quota,
    small_shm_command,
    touch_shared_block,
    unshare_works,
    worker_cpus,
    workers_here,
)

LINUX_AFFINITY = pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity"), reason="needs sched_getaffinity"
)


def fake_v2(tmp_path, cgroup_line, folders):
    """A cgroup v2 tree: ``folders`` maps a folder under the root to its cpu.max text."""
    root = tmp_path / "cgroup"
    root.mkdir()
    for folder, text in folders.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "cpu.max").write_text(text)
    proc = tmp_path / "proc_cgroup"
    proc.write_text(cgroup_line)
    return root, proc


def fake_v1(tmp_path, mount, path, quota, period="100000"):
    root = tmp_path / "cgroup"
    folder = root / mount / path.lstrip("/")
    folder.mkdir(parents=True)
    (folder / "cpu.cfs_quota_us").write_text(f"{quota}\n")
    (folder / "cpu.cfs_period_us").write_text(f"{period}\n")
    proc = tmp_path / "proc_cgroup"
    proc.write_text(f"12:memory:/other\n4:{mount}:{path}\n0::/\n")
    return root, proc


def test_v2_quota_in_own_folder(tmp_path):
    root, proc = fake_v2(
        tmp_path, "0::/kubepods/pod1\n", {"kubepods/pod1": "150000 100000\n"}
    )
    quota = read_cpu_quota(root, proc)
    assert quota == CpuQuota(1.5, str(root / "kubepods/pod1/cpu.max"))


def test_v2_no_quota(tmp_path):
    root, proc = fake_v2(tmp_path, "0::/\n", {".": "max 100000\n"})
    assert read_cpu_quota(root, proc) == CpuQuota(None, str(root / "cpu.max"))


def test_v2_parent_quota_binds_and_smallest_wins(tmp_path):
    root, proc = fake_v2(
        tmp_path,
        "0::/a/b\n",
        {"a": "50000 100000", "a/b": "max 100000", ".": "300000 100000"},
    )
    assert read_cpu_quota(root, proc) == CpuQuota(0.5, str(root / "a/cpu.max"))


def test_v2_inside_a_container_reads_the_root(tmp_path):
    # without a cgroup namespace the path names a folder the container cannot see
    root, proc = fake_v2(
        tmp_path, "0::/docker/abc123\n", {".": "200000 100000 0\n"}
    )
    assert read_cpu_quota(root, proc) == CpuQuota(2.0, str(root / "cpu.max"))


def test_v1_quota(tmp_path):
    root, proc = fake_v1(tmp_path, "cpu,cpuacct", "/docker/abc", 50000)
    assert read_cpu_quota(root, proc) == CpuQuota(
        0.5, str(root / "cpu,cpuacct/docker/abc/cpu.cfs_quota_us")
    )


def test_v1_no_quota(tmp_path):
    root, proc = fake_v1(tmp_path, "cpu", "/", -1)
    assert read_cpu_quota(root, proc) == CpuQuota(
        None, str(root / "cpu/cpu.cfs_quota_us")
    )


def test_v2_file_wins_over_v1(tmp_path):
    root, proc = fake_v1(tmp_path, "cpu", "/", 50000)
    (root / "cpu.max").write_text("max 100000\n")
    assert read_cpu_quota(root, proc).source == str(root / "cpu.max")


def test_no_cgroup_files(tmp_path):
    assert read_cpu_quota(
        tmp_path / "missing", tmp_path / "nothing"
    ) == CpuQuota(None, None)


def test_this_machine_gives_a_quota_or_none():
    quota = read_cpu_quota()
    assert quota.cpus is None or quota.cpus > 0


@pytest.mark.parametrize(
    ("quota", "affinity", "environ", "expected"),
    [
        (None, 8, {}, WorkerCount(8, "affinity")),
        (1.5, 8, {}, WorkerCount(2, "cgroup quota")),
        (0.25, 8, {}, WorkerCount(1, "cgroup quota")),
        (4.0, 2, {}, WorkerCount(2, "affinity")),
        (2.0, 2, {}, WorkerCount(2, "affinity")),
        (
            None,
            8,
            {"SLURM_CPUS_PER_TASK": "3"},
            WorkerCount(3, "SLURM_CPUS_PER_TASK"),
        ),
        (2.0, 8, {"SLURM_CPUS_PER_TASK": "3"}, WorkerCount(2, "cgroup quota")),
        (
            2.0,
            8,
            {"PYTHON_CPU_COUNT": "6", "SLURM_CPUS_PER_TASK": "3"},
            WorkerCount(6, "PYTHON_CPU_COUNT"),
        ),
        (None, 8, {"PYTHON_CPU_COUNT": "default"}, WorkerCount(8, "affinity")),
        (None, 8, {"PYTHON_CPU_COUNT": "process"}, WorkerCount(8, "affinity")),
        (None, 8, {"PYTHON_CPU_COUNT": ""}, WorkerCount(8, "affinity")),
    ],
)
def test_choose_workers_precedence(quota, affinity, environ, expected):
    assert choose_workers(quota, affinity, environ) == expected


@pytest.mark.parametrize(
    "environ",
    [
        {"PYTHON_CPU_COUNT": "0"},
        {"PYTHON_CPU_COUNT": "two"},
        {"SLURM_CPUS_PER_TASK": "-1"},
    ],
)
def test_choose_workers_rejects_bad_variables(environ):
    with pytest.raises(ValueError, match=next(iter(environ))):
        choose_workers(None, 4, environ)


def test_choose_workers_checks_its_arguments():
    with pytest.raises(TypeError):
        choose_workers(None, 2.0, {})
    with pytest.raises(ValueError):
        choose_workers(None, 0, {})
    with pytest.raises(TypeError):
        choose_workers("1", 2, {})
    with pytest.raises(ValueError):
        choose_workers(0.0, 2, {})


def test_workers_here_is_at_least_one():
    assert workers_here().workers >= 1
    assert affinity_count() >= 1


@LINUX_AFFINITY
def test_pin_to_cpus_in_a_child(child_context):
    first = min(os.sched_getaffinity(0))
    with child_context.Pool(
        1, initializer=pin_to_cpus, initargs=({first},)
    ) as pool:
        assert pool.apply_async(worker_cpus).get(timeout=60) == [first]
    assert len(os.sched_getaffinity(0)) == affinity_count()


def test_pin_to_cpus_needs_a_cpu():
    with pytest.raises(ValueError):
        pin_to_cpus([])


def test_touch_shared_block_leaves_nothing():
    touch_shared_block(3 * 4096 + 1)
    with pytest.raises(ValueError):
        touch_shared_block(0)


def test_small_shm_command_ends_in_this_python():
    command = small_shm_command(1 << 20, 4 << 20)
    assert command[:2] == ["unshare", "-m"] and sys.executable in command
    with pytest.raises(TypeError):
        small_shm_command(1.5, 2)


@pytest.mark.skipif(not unshare_works(), reason="needs root and unshare -m")
def test_a_block_past_a_small_dev_shm_dies_of_sigbus():
    small = subprocess.run(
        small_shm_command(1 << 20, 4 << 20), capture_output=True, timeout=60
    )
    assert small.returncode == -signal.SIGBUS
    large = subprocess.run(
        small_shm_command(8 << 20, 4 << 20), capture_output=True, timeout=60
    )
    assert large.returncode == 0, large.stderr
