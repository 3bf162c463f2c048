"""Run by every kernel that `make test` and `make execute` start (IPYTHONDIR points here).

1. When MULTICORE_GUIDE_DEFAULT_START_METHOD is set, make that start method
   the default, so that the tests can prove that no notebook depends on the
   platform's default (fork, spawn and forkserver are each tried).
2. After every cell, report any child process that outlived the cell. The
   report goes to stderr, so it lands in the cell's output and nbval fails
   the cell: no child may outlive its cell.
"""

import multiprocessing
import os
import sys

_method = os.environ.get("MULTICORE_GUIDE_DEFAULT_START_METHOD")
if _method:
    multiprocessing.set_start_method(_method, force=True)


def _report_leftover_children(result):
    leftover = multiprocessing.active_children()
    if leftover:
        print(f"child processes outlived this cell: {leftover}", file=sys.stderr)


get_ipython().events.register("post_run_cell", _report_leftover_children)  # noqa: F821
