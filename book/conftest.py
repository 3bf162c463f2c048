"""pytest settings for the nbval run over book/ (`make nbval`).

nbval ends each notebook's kernel with ``shutdown_kernel(now=True)``, which
kills the kernel's whole process group at once. multiprocessing's resource
tracker is in that group, so it dies before it can unlink what the kernel
still held: each run left POSIX semaphores (``/dev/shm/sem.mp-*``) behind.
Here the kernel is asked to shut down first, as `jupyter nbconvert
--execute` does; it is killed only if it does not exit within the wait.
"""

from nbval.kernel import RunningKernel

# seconds a kernel gets to exit by itself before it is killed
GRACE = 10


def _stop_gracefully(self):
    """Stop the kernel's channels, ask it to shut down, and kill it only if it does not."""
    self.kc.stop_channels()
    self.km.shutdown_wait_time = GRACE
    self.km.shutdown_kernel(now=False)
    del self.km


RunningKernel.stop = _stop_gracefully
