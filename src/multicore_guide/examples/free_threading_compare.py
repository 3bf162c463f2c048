"""Count primes serially, on threads and on processes, and compare.

Run it with a free-threaded CPython (3.14t) to see whether threads run
Python code in parallel there; run it with an ordinary build to see that
they do not. It prints the build, whether the GIL is on after every import,
and the best of three runs for each way:

    python3.14t free_threading_compare.py [STOP]

STOP (default 400000) sets the size of the job. The script imports only
the standard library and multicore_guide.workers, which is pure Python.
"""

import multiprocessing
import os
import sys
import sysconfig
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from multicore_guide.workers import count_primes_block, split_range


def best_of(repeat, fn, *args):
    """Return (the shortest time of `repeat` runs, the last result)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


def serial(blocks, workers):
    return [count_primes_block(block) for block in blocks]


def on_threads(blocks, workers):
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(count_primes_block, blocks, timeout=600))


def on_processes(blocks, workers):
    context = multiprocessing.get_context("spawn")  # the same on every OS
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(count_primes_block, blocks, timeout=600))


def main():
    stop = int(sys.argv[1]) if len(sys.argv) > 1 else 400_000
    if hasattr(os, "process_cpu_count"):  # 3.13+: honours affinity
        workers = os.process_cpu_count() or 1
    else:
        workers = os.cpu_count() or 1
    blocks = split_range(0, stop, 8 * workers)
    build = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    # an extension module without free-threading support turns it back on
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    print(
        f"Python {sys.version.split()[0]}; free-threaded build: {build}; "
        f"GIL enabled: {gil}"
    )
    print(f"primes below {stop}, {len(blocks)} blocks, {workers} workers")
    base, answer = best_of(3, serial, blocks, workers)
    print(f"{'serial':<10} {base:7.3f} s  speedup 1.00")
    for name, run in (("threads", on_threads), ("processes", on_processes)):
        seconds, result = best_of(3, run, blocks, workers)
        assert result == answer, f"{name} disagree with the serial loop"
        print(f"{name:<10} {seconds:7.3f} s  speedup {base / seconds:4.2f}")


if __name__ == "__main__":
    main()
