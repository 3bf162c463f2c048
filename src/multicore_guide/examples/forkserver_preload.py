"""What preloading NumPy into the forkserver saves each child.

usage: python forkserver_preload.py default|numpy [REPEAT]

Each run is a fresh interpreter, so each gets a forkserver of its own,
started with the preload list that the argument picks. The script times
starting and joining a child whose target imports NumPy, REPEAT times
(5 by default) after one untimed start that also launches the server,
and prints the preload list and the times in milliseconds as JSON.
"""

import json
import multiprocessing
import sys
import time

from multicore_guide.start_methods import import_numpy

if __name__ == "__main__":
    setting, repeat = sys.argv[1], int(sys.argv[2] if len(sys.argv) > 2 else 5)
    ctx = multiprocessing.get_context("forkserver")
    if setting == "numpy":
        ctx.set_forkserver_preload(["numpy"])  # replaces ["__main__"]
    times = []
    for run in range(1 + repeat):
        started = time.perf_counter()
        child = ctx.Process(target=import_numpy)
        child.start()
        child.join(timeout=60)
        elapsed = time.perf_counter() - started
        if child.exitcode != 0:
            sys.exit(f"the child ended with exit code {child.exitcode}")
        if run > 0:  # the first start also launches the server
            times.append(round(1000 * elapsed, 1))
    json.dump({"setting": setting, "ms": times}, sys.stdout)
