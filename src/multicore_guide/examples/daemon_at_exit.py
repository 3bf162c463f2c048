"""What happens to a child that is still running when the parent's code ends.

usage: python daemon_at_exit.py daemon|normal SECONDS

The child sleeps for SECONDS. The parent prints the child's pid and how
long its own code took, then reaches the end of the script. At exit,
multiprocessing terminates daemon children and waits for the others.
"""

import multiprocessing
import sys
import time

if __name__ == "__main__":
    kind, seconds = sys.argv[1], float(sys.argv[2])
    started = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    child = ctx.Process(
        target=time.sleep, args=(seconds,), daemon=kind == "daemon"
    )
    child.start()
    print(f"child pid {child.pid}, daemon={child.daemon}")
    print(f"parent's code done after {time.perf_counter() - started:.2f} s")
