"""Fork a child while a second thread runs: Python 3.12+ warns, 3.11 is silent.

Run it with ``python -W always`` to see the DeprecationWarning whatever the
warning filters say.
"""

import multiprocessing
import threading
import time

if __name__ == "__main__":
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)  # a thread, as a kernel has
    helper.start()
    fork = multiprocessing.get_context("fork")
    child = fork.Process(target=time.sleep, args=(0,))
    child.start()
    child.join(timeout=30)
    stop.set()
    helper.join(timeout=30)
    print("child exit code:", child.exitcode)
