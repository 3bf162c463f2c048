"""Run by every kernel that `make test` and `make execute` start (IPYTHONDIR points here).

1. MULTICORE_GUIDE_DEFAULT_START_METHOD decides what multiprocessing's
   default start method is inside the kernel:
   - "fork", "spawn" or "forkserver": that method becomes the default;
   - "guard": the default is replaced by a stand-in that refuses to start a
     process. A notebook that passes under the guard never consults the
     default, so it behaves the same whatever the platform's default is.
     That one run stands for a run under each method (`make nbval-methods`
     does the three runs too, for the record).
   Unset, the platform's default stays.
2. After every cell, any child process that outlived the cell is reported on
   stderr. The report lands in the cell's output, so nbval fails the cell.
"""

import multiprocessing
import multiprocessing.context
import os
import sys

# what starts processes; the method's name stays readable, because spawn and
# forkserver pass the parent's default on to each child they start
_PROCESS_MAKERS = {"Process", "Pool", "Manager"}


class _NoDefaultStartMethod:
    """Stands in for the default context: locks and queues work, starting a process raises."""

    def __init__(self):
        self._delegate = multiprocessing.get_context("spawn")

    def __getattr__(self, name):
        if name in _PROCESS_MAKERS:
            raise RuntimeError(
                "this cell used multiprocessing's default start method "
                f"(through {name!r}); build pools and processes from an explicit context, "
                "e.g. multicore_guide.machine.get_context()"
            )
        return getattr(self._delegate, name)


_method = os.environ.get("MULTICORE_GUIDE_DEFAULT_START_METHOD")
if _method == "guard":
    multiprocessing.context._default_context._actual_context = (
        _NoDefaultStartMethod()
    )
elif _method:
    multiprocessing.set_start_method(_method, force=True)


def _report_leftover_children(result):
    leftover = multiprocessing.active_children()
    if leftover:
        print(
            f"child processes outlived this cell: {leftover}", file=sys.stderr
        )


get_ipython().events.register("post_run_cell", _report_leftover_children)  # noqa: F821
