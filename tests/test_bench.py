"""The benchmark's machinery on tiny sizes: the report, the files, the verdicts. No timing is asserted."""

import json

import pytest

from multicore_guide import bench


def test_quick_run_writes_the_report_and_the_figures(tmp_path, capsys):
    assert bench.main(["--quick", "--out", str(tmp_path), "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    report = json.loads((tmp_path / "bench.json").read_text())
    names = [claim["name"] for claim in report["claims"]]
    assert any(name.startswith("parallel efficiency") for name in names)
    assert any(name.startswith("chunksize gain") for name in names)
    assert any(name.startswith("shared_memory vs pickle") for name in names)
    assert any(name.startswith("process start") for name in names)
    assert any(name.startswith("peak memory") for name in names)
    assert all(claim["verdict"] in {"met", "not met", "-"} for claim in report["claims"])
    assert report["workers"] == 2
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "chunksize.png", "efficiency.png", "shared_memory.png", "start_cost.png"
    ]
    assert "| claim | measured | goal | verdict |" in printed


@pytest.mark.parametrize(
    "claim, verdict",
    [
        (bench.Claim("x", 1.0, "1"), "-"),
        (bench.Claim("x", 1.0, "1", ">= 1", True), "met"),
        (bench.Claim("x", 0.5, "0.5", ">= 1", False), "not met"),
    ],
)
def test_verdicts(claim, verdict):
    assert claim.verdict == verdict


def test_table_has_one_row_per_claim():
    table = bench.format_table([bench.Claim("a", 1.0, "1"), bench.Claim("b", 2.0, "2x", ">= 1x", True)])
    lines = table.splitlines()
    assert len(lines) == 4
    assert lines[-1] == "| b | 2x | >= 1x | met |"


def test_peak_memory_sees_this_process():
    with bench.PeakMemory(interval=0.01) as peak:
        block = bytearray(20 * 2**20)
        block[::4096] = b"x" * len(block[::4096])
        import time

        time.sleep(0.1)
    assert peak.bytes > 20 * 2**20


def test_sizes_full_matches_the_claims():
    full = bench.Sizes.full()
    assert full.array_bytes == 200 * 10**6 and full.array_tasks == 4 and full.repeat >= 3


def test_bad_workers_raise(tmp_path):
    with pytest.raises(ValueError):
        bench.run(bench.Sizes.quick(), tmp_path, workers=0)
