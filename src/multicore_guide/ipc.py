"""Processes that talk: queues, pipes, managers and sockets.

The functions here run in child processes started by the chapter on
inter-process communication. A ``Process`` target cannot return a value, so
each one sends its results through the queue or connection it is given and
never prints. Every blocking call in a child has a bound, so that a child
whose parent has gone away exits by itself instead of waiting for ever.

The parent-side helpers (:func:`get_within`, :func:`join_queue`,
:func:`measure_throughput`) give a bound to the blocking calls that the
standard library offers without one; :func:`set_pipe_capacity` resizes a
pipe on Linux, to test whether its 64 KiB default limits large messages.
"""

from __future__ import annotations

import queue as queue_module
import threading
import time
from multiprocessing.connection import Client, Connection, Listener
from multiprocessing.context import AuthenticationError, BaseContext
from typing import Any

from .checks import check_bounds, check_int, check_real
from .machine import get_context
from .timing import timer
from .workers import count_primes_block, is_prime

__all__ = [
    "CHANNELS",
    "SENTINEL",
    "ask_squares",
    "consume_primes",
    "count_primes_reporting",
    "count_primes_to_worker_queue",
    "get_within",
    "join_queue",
    "measure_throughput",
    "produce",
    "put_payload",
    "send_messages",
    "send_primes",
    "serve_squares",
    "serve_tasks",
    "set_pipe_capacity",
    "set_worker_queue",
    "square_server",
]


try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None  # type: ignore[assignment]


# the value that tells a consumer to stop; None survives pickling as itself
SENTINEL = None


# the kinds of channel that measure_throughput compares
CHANNELS = ("Queue", "SimpleQueue", "Pipe")


# how long a child waits for its next message before it gives up
CHILD_TIMEOUT = 30.0


# the queue that set_worker_queue stores in each pool worker; None elsewhere
_worker_queue: Any = None


def produce(tasks: Any, items: list[int], n_consumers: int) -> None:
    """Put every item on ``tasks``, then one :data:`SENTINEL` per consumer.

    Args:
        tasks: a ``multiprocessing`` queue (``Queue``, ``JoinableQueue``...).
        items: the work to hand out.
        n_consumers: how many consumers read ``tasks``; each needs its own
            sentinel, because a consumer stops at the first one it gets.

    Raises:
        TypeError: ``items`` is not a list or ``n_consumers`` is not an int.
        ValueError: ``n_consumers < 1``.
    """
    if not isinstance(items, list):
        raise TypeError(f"items must be a list, got {type(items).__name__}")
    n_consumers = check_int("n_consumers", n_consumers, minimum=1)
    for item in items:
        tasks.put(item)
    for _ in range(n_consumers):
        tasks.put(SENTINEL)


def consume_primes(
    tasks: Any, results: Any, consumer_id: int, timeout: float = CHILD_TIMEOUT
) -> None:
    """Test numbers from ``tasks`` for primality until a :data:`SENTINEL`
    arrives.

    Each answer goes to ``results`` as ``(consumer_id, n, is_prime(n))``.

    Raises:
        TypeError: ``consumer_id`` is not an int.
        queue.Empty: no task arrived within ``timeout`` seconds.
    """
    consumer_id = check_int("consumer_id", consumer_id, minimum=0)
    while True:
        n = tasks.get(timeout=timeout)
        if n is SENTINEL:
            return
        results.put((consumer_id, n, is_prime(n)))


def serve_tasks(
    tasks: Any, results: Any, timeout: float = CHILD_TIMEOUT
) -> None:
    """Consume a ``JoinableQueue``: test each number, then mark the task done.

    ``task_done()`` is called once for every item taken, the sentinel
    included, so that ``tasks.join()`` in the parent can return. Answers go
    to ``results`` as ``(n, is_prime(n))``.

    Raises:
        queue.Empty: no task arrived within ``timeout`` seconds.
    """
    while True:
        n = tasks.get(timeout=timeout)
        try:
            if n is SENTINEL:
                return
            results.put((n, is_prime(n)))
        finally:
            tasks.task_done()


def square_server(conn: Connection, timeout: float = CHILD_TIMEOUT) -> None:
    """Answer each number received on ``conn`` with its square, until
    :data:`SENTINEL`.

    This is one end of a duplex ``Pipe``: the same connection receives the
    questions and sends the answers. The function also returns when no
    message arrives within ``timeout`` seconds, or when the other end closes.

    Raises:
        TypeError: a message is neither a number nor the sentinel.
    """
    try:
        while conn.poll(timeout):
            number = conn.recv()
            if number is SENTINEL:
                return
            if isinstance(number, bool) or not isinstance(
                number, (int, float)
            ):
                raise TypeError(
                    f"expected a number, got {type(number).__name__}"
                )
            conn.send(number * number)
    except EOFError:
        return
    finally:
        conn.close()


def send_primes(conn: Connection, start: int, stop: int) -> None:
    """Send every prime ``p`` with ``start <= p < stop`` on ``conn``, then close
    it.

    This is the sending end of a one-way ``Pipe(duplex=False)``: closing it
    is how the receiver learns, through ``EOFError``, that nothing more will
    come.

    Raises:
        TypeError, ValueError: as for
            :func:`multicore_guide.workers.count_primes`.
    """
    try:
        start, stop = check_bounds("(start, stop)", (start, stop))
        for n in range(start, stop):
            if is_prime(n):
                conn.send(n)
    finally:
        conn.close()


def count_primes_reporting(block: tuple[int, int], progress: Any) -> int:
    """Count the primes in ``block`` and put ``("done", block)`` on
    ``progress``.

    Meant for a ``ProcessPoolExecutor`` task: ``progress`` must be a queue
    that can travel as an argument, such as ``Manager().Queue()``; a plain
    ``multiprocessing.Queue`` cannot.

    Raises:
        TypeError, ValueError: as for
            :func:`multicore_guide.workers.count_primes_block`.
    """
    count = count_primes_block(block)
    progress.put(("done", block))
    return count


def set_worker_queue(progress: Any) -> None:
    """Keep ``progress`` in this worker process, for later tasks.

    Meant as a pool's ``initializer``, with the queue in ``initargs``:
    those travel with the worker process when it is created, so a plain
    ``multiprocessing.Queue`` may go there, though not in a task.

    Raises:
        TypeError: ``progress`` has no ``put`` method.
    """
    if not callable(getattr(progress, "put", None)):
        raise TypeError(f"expected a queue, got {type(progress).__name__}")
    global _worker_queue
    _worker_queue = progress


def count_primes_to_worker_queue(block: tuple[int, int]) -> int:
    """Count the primes in ``block``; report ``("done", block)``.

    The report goes on the queue that :func:`set_worker_queue` kept when
    the pool started this worker.

    Raises:
        RuntimeError: no initializer gave this process a queue.
        TypeError, ValueError: as for
            :func:`multicore_guide.workers.count_primes_block`.
    """
    if _worker_queue is None:
        raise RuntimeError("start the pool with initializer=set_worker_queue")
    count = count_primes_block(block)
    _worker_queue.put(("done", block))
    return count


def put_payload(queue: Any, nbytes: int) -> None:
    """Put one ``bytes`` object of ``nbytes`` bytes on ``queue``.

    A child that has put a large object on a ``multiprocessing.Queue``
    cannot exit until someone has read it (see the programming guidelines
    on joining processes that use queues).

    Raises:
        TypeError: ``nbytes`` is not an int.
        ValueError: ``nbytes < 0``.
    """
    nbytes = check_int("nbytes", nbytes, minimum=0)
    queue.put(b"x" * nbytes)


def send_messages(channel: Any, n_messages: int, nbytes: int) -> None:
    """Send ``"ready"``, then ``n_messages`` ``bytes`` objects of ``nbytes``
    bytes, on ``channel``.

    ``channel`` is a queue (it has ``put``) or a connection (it has
    ``send``); a connection is closed at the end. The ready message lets
    the receiver start its clock once this process is up and running.

    Raises:
        TypeError: ``channel`` has neither ``put`` nor ``send``, or a count is
            not an int.
        ValueError: ``n_messages < 1`` or ``nbytes < 0``.
    """
    n_messages = check_int("n_messages", n_messages, minimum=1)
    nbytes = check_int("nbytes", nbytes, minimum=0)
    if not (hasattr(channel, "put") or hasattr(channel, "send")):
        raise TypeError(
            f"channel must have put() or send(), got {type(channel).__name__}"
        )
    send = getattr(channel, "put", None) or channel.send
    message = b"x" * nbytes
    send("ready")
    for _ in range(n_messages):
        send(message)
    if isinstance(channel, Connection):
        channel.close()


def serve_squares(
    report: Connection,
    authkey: bytes,
    n_connections: int,
    timeout: float = CHILD_TIMEOUT,
) -> None:
    """Serve squares over a socket on the loopback interface, to clients that
    know ``authkey``.

    The server binds ``127.0.0.1`` on a free port and sends its address on
    ``report``. It then accepts ``n_connections`` connections, one after the
    other; on each it answers numbers with their squares until
    :data:`SENTINEL`. A client with the wrong key is turned away before any
    of its messages is unpickled. At the end it sends
    ``{"served": ..., "rejected": ...}`` on ``report`` and closes it.

    Raises:
        TypeError: ``authkey`` is not bytes or ``n_connections`` is not an int.
        ValueError: ``authkey`` is shorter than 16 bytes or ``n_connections <
            1``.
    """
    try:
        if not isinstance(authkey, bytes):
            raise TypeError(
                f"authkey must be bytes, got {type(authkey).__name__}"
            )
        if len(authkey) < 16:
            raise ValueError(
                "authkey must hold at least 16 bytes; "
                "use secrets.token_bytes(32)"
            )
        n_connections = check_int("n_connections", n_connections, minimum=1)
    except (TypeError, ValueError):
        report.close()
        raise
    with report:  # closed at the end, whatever happens
        served = rejected = 0
        with Listener(("127.0.0.1", 0), authkey=authkey) as listener:
            report.send(listener.address)
            for _ in range(n_connections):
                try:
                    conn = listener.accept()
                except AuthenticationError:
                    rejected += 1
                    continue
                with conn:
                    while conn.poll(timeout):
                        number = conn.recv()
                        if number is SENTINEL:
                            break
                        conn.send(number * number)
                served += 1
        report.send({"served": served, "rejected": rejected})


def ask_squares(
    address: tuple[str, int],
    authkey: bytes,
    numbers: list[int],
    timeout: float = CHILD_TIMEOUT,
) -> list[int]:
    """Connect to a :func:`serve_squares` server, ask for the squares of
    ``numbers``, return them.

    Raises:
        TypeError: ``authkey`` is not bytes or ``numbers`` is not a list.
        multiprocessing.AuthenticationError: the server does not share
        ``authkey``.
        TimeoutError: an answer took longer than ``timeout`` seconds.
    """
    if not isinstance(authkey, bytes):
        raise TypeError(f"authkey must be bytes, got {type(authkey).__name__}")
    if not isinstance(numbers, list):
        raise TypeError(
            f"numbers must be a list, got {type(numbers).__name__}"
        )
    timeout = check_real("timeout", timeout, minimum=0.0)
    answers = []
    with Client(address, authkey=authkey) as conn:
        for number in numbers:
            conn.send(number)
            if not conn.poll(timeout):
                raise TimeoutError(f"no answer within {timeout} s")
            answers.append(conn.recv())
        conn.send(SENTINEL)
    return answers


def get_within(queue: Any, timeout: float) -> Any:
    """Return the next item of ``queue``, waiting at most ``timeout`` seconds.

    ``Queue.get`` takes a timeout itself, but ``SimpleQueue.get`` does not,
    so for a queue without one this waits for ``empty()`` to turn false,
    checking every millisecond.

    Raises:
        TimeoutError: nothing arrived in time.
        ValueError: ``timeout`` is negative.
    """
    timeout = check_real("timeout", timeout, minimum=0.0)
    if not hasattr(queue, "empty") or not hasattr(queue, "get"):
        raise TypeError(
            f"queue must have get() and empty(), got {type(queue).__name__}"
        )
    try:
        return queue.get(timeout=timeout)
    except TypeError:
        pass  # a SimpleQueue: its get() has no timeout
    except queue_module.Empty as exc:
        raise TimeoutError(f"nothing arrived within {timeout} s") from exc
    deadline = time.monotonic() + timeout
    while queue.empty():
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing arrived within {timeout} s")
        time.sleep(0.001)
    return queue.get()


def join_queue(queue: Any, timeout: float) -> None:
    """Wait, at most ``timeout`` seconds, until every item put on a
    ``JoinableQueue`` is done.

    ``JoinableQueue.join()`` takes no timeout, so it runs here in a daemon
    thread and this function waits for that thread with one.

    Raises:
        TimeoutError: some items were still not marked done after ``timeout``
            seconds.
        TypeError: ``queue`` has no ``join`` method.
    """
    timeout = check_real("timeout", timeout, minimum=0.0)
    if not callable(getattr(queue, "join", None)):
        raise TypeError(
            f"queue must be a JoinableQueue, got {type(queue).__name__}"
        )
    waiter = threading.Thread(target=queue.join, daemon=True)
    waiter.start()
    waiter.join(timeout)
    if waiter.is_alive():
        raise TimeoutError(
            f"the queue's tasks were not all done within {timeout} s"
        )


def set_pipe_capacity(conn: Connection, nbytes: int) -> int:
    """Set the capacity of the OS pipe under ``conn``; return the capacity it got.

    ``conn`` is one end of ``Pipe(duplex=False)``, which is an OS pipe on
    Linux; both ends share the capacity. Linux rounds ``nbytes`` up to a
    power-of-two number of pages and refuses an unprivileged process more
    than ``/proc/sys/fs/pipe-max-size`` (1 MiB by default).

    Raises:
        NotImplementedError: ``fcntl`` cannot set a pipe's capacity here
            (outside Linux).
        ValueError: ``nbytes < 1``.
        PermissionError: ``nbytes`` exceeds what this process may set.
        OSError: ``conn`` is not a pipe.
    """
    if fcntl is None or not hasattr(fcntl, "F_SETPIPE_SZ"):
        raise NotImplementedError("setting a pipe's capacity needs Linux")
    nbytes = check_int("nbytes", nbytes, minimum=1)
    fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, nbytes)
    return fcntl.fcntl(conn.fileno(), fcntl.F_GETPIPE_SZ)


def measure_throughput(
    channel: str,
    nbytes: int,
    n_messages: int,
    *,
    context: BaseContext | None = None,
    timeout: float = 30.0,
    pipe_bytes: int | None = None,
) -> float:
    """Return how many messages of ``nbytes`` bytes per second a child sends to this
    process.

    ``channel`` is one of :data:`CHANNELS`. A child runs :func:`send_messages`;
    the clock starts when its ready message arrives, so the child's start-up
    is not counted, and stops when the last of ``n_messages`` messages has
    been received and unpickled here. If the transfer takes longer than
    ``timeout`` seconds, a watchdog thread terminates the child and wakes
    the receiving loop, which then raises.

    ``pipe_bytes`` (Linux only, ``channel="Pipe"`` only) first sets the
    capacity of the pipe, instead of the default 64 KiB, with
    :func:`set_pipe_capacity`.

    Raises:
        ValueError: ``channel`` is unknown, ``nbytes < 0`` or ``n_messages < 1``,
            or ``pipe_bytes`` is given for a queue or is below 1.
        TypeError: a count is not an int.
        NotImplementedError: ``pipe_bytes`` is given where ``fcntl`` cannot
            set a pipe's capacity (outside Linux).
        PermissionError: ``pipe_bytes`` exceeds what this process may set.
        TimeoutError: the transfer did not finish within ``timeout`` seconds.
    """
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}, got {channel!r}")
    nbytes = check_int("nbytes", nbytes, minimum=0)
    n_messages = check_int("n_messages", n_messages, minimum=1)
    timeout = check_real(
        "timeout", timeout, minimum=0.0, inclusive_minimum=False
    )
    if pipe_bytes is not None:
        pipe_bytes = check_int("pipe_bytes", pipe_bytes, minimum=1)
        if channel != "Pipe":
            raise ValueError(
                f"pipe_bytes applies to a Pipe only, not to a {channel}"
            )
    ctx = context or get_context()
    if channel == "Pipe":
        receiver, sender = ctx.Pipe(duplex=False)
        receive, wake = receiver.recv, None
        if pipe_bytes is not None:
            try:
                set_pipe_capacity(receiver, pipe_bytes)
            except Exception:  # close both ends before the error propagates
                receiver.close()
                sender.close()
                raise
    else:
        sender = ctx.Queue() if channel == "Queue" else ctx.SimpleQueue()
        receive, wake = sender.get, sender.put
    child = ctx.Process(
        target=send_messages, args=(sender, n_messages, nbytes)
    )
    child.start()
    if channel == "Pipe":
        # the child holds the sending end now; with ours closed, a dead child
        # means EOFError
        sender.close()

    def give_up() -> None:
        child.terminate()
        if wake is not None:
            wake("timeout")

    watchdog = threading.Timer(timeout, give_up)
    watchdog.start()
    try:
        if receive() != "ready":
            raise TimeoutError(f"no ready message within {timeout} s")
        with timer(channel) as clock:
            for _ in range(n_messages):
                if type(receive()) is not bytes:
                    raise TimeoutError(
                        f"{n_messages} messages did not arrive within {timeout} s"
                    )
    except EOFError as exc:
        raise TimeoutError(
            f"the sending process stopped early (exit code {child.exitcode})"
        ) from exc
    finally:
        watchdog.cancel()
        child.join(timeout)
        if child.is_alive():
            child.terminate()
            child.join(timeout)
        if channel == "Pipe":
            receiver.close()
        else:
            sender.close()
    return n_messages / clock.median
