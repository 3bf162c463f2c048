"""The benchmark's machinery on tiny sizes: the report, the files, the verdicts. No timing is asserted."""

import json

import pytest

from multicore_guide import bench


@pytest.mark.slow
def test_quick_run_writes_the_report_and_the_figures(tmp_path, capsys):
    assert (
        bench.main(["--quick", "--out", str(tmp_path), "--workers", "2"]) == 0
    )
    printed = capsys.readouterr().out
    report = json.loads((tmp_path / "bench.json").read_text())
    names = [claim["name"] for claim in report["claims"]]
    assert any(name.startswith("parallel efficiency") for name in names)
    assert any(name.startswith("chunksize gain") for name in names)
    assert any(name.startswith("shared_memory vs pickle") for name in names)
    assert any(name.startswith("process start") for name in names)
    assert any(name.startswith("peak memory") for name in names)
    assert all(
        claim["verdict"] in {"met", "not met", "noise", "-"}
        for claim in report["claims"]
    )
    assert report["workers"] == 2
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "chunksize.png",
        "efficiency.png",
        "shared_memory.png",
        "start_batch.png",
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
    table = bench.format_table(
        [
            bench.Claim("a", 1.0, "1"),
            bench.Claim("b", 2.0, "2x", ">= 1x", True),
        ]
    )
    lines = table.splitlines()
    assert len(lines) == 4
    assert lines[-1] == "| b | 2x | >= 1x | met |"


def test_peak_memory_sees_an_allocation():
    import time

    with bench.PeakMemory(interval=0.01) as before:
        time.sleep(0.1)
    with bench.PeakMemory(interval=0.01) as during:
        block = bytearray(200 * 2**20)
        block[::4096] = b"x" * len(
            block[::4096]
        )  # touch every page, so it is resident
        time.sleep(0.1)
        del block
    # the test process is already far above a few MiB, so compare with its own baseline
    assert during.bytes - before.bytes > 150 * 2**20


def timing(label, *seconds):
    return bench.Timing(label, list(seconds))


def test_efficiency_takes_each_side_at_its_best_and_reports_the_spread():
    figures = bench.efficiency_figures(
        timing("serial", 4.0, 5.0), timing("2 workers", 2.5, 2.2), 4.0, 2
    )
    assert figures["efficiency"] == pytest.approx(4.0 / 2.2 / 2)
    assert figures["spread low"] == pytest.approx(4.0 / 2.5 / 2)
    assert figures["spread high"] == pytest.approx(5.0 / 2.2 / 2)
    assert figures["serial wait"] == pytest.approx(1.0)


def fake_scaling(monkeypatch, serial, parallel):
    """Make every scaling run report these two times; return the list of calls."""
    from multicore_guide import measuring

    calls = []

    def fake(fn, items, counts, *, context=None, repeat=3):
        calls.append(repeat)
        return measuring.Scaling(
            serial=timing("serial", serial),
            workers=[2],
            parallel=[timing("2 workers", parallel)],
        )

    monkeypatch.setattr(measuring, "measure_scaling", fake)
    return calls


def test_an_impossible_efficiency_is_noise_not_a_verdict(monkeypatch):
    # a serial side disturbed in every try: 5.5 s against 2.35 s on 2 workers is 1.17
    calls = fake_scaling(monkeypatch, 5.5, 2.35)
    claim, _ = bench.bench_efficiency(bench.Sizes.quick(), 2, None)
    assert len(calls) == bench.EFFICIENCY_TRIES
    assert claim.value == pytest.approx(5.5 / 2.35 / 2)
    assert claim.met is None and claim.verdict == "noise"
    assert "impossible" in claim.shown


def test_a_possible_efficiency_is_judged_at_the_first_try(monkeypatch):
    calls = fake_scaling(monkeypatch, 4.0, 2.2)
    claim, _ = bench.bench_efficiency(bench.Sizes.quick(), 2, None)
    assert calls == [bench.Sizes.quick().repeat]
    assert claim.verdict == "not met" and claim.value == pytest.approx(
        4.0 / 2.2 / 2
    )


def test_sizes_full_matches_the_claims():
    full = bench.Sizes.full()
    assert (
        full.array_bytes == 200 * 10**6
        and full.array_tasks == 4
        and full.repeat >= 3
    )


def test_bad_workers_raise(tmp_path):
    with pytest.raises(ValueError):
        bench.run(bench.Sizes.quick(), tmp_path, workers=0)
