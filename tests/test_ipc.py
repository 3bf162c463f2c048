"""Queues, pipes, managers and sockets: right answers, bounded waits, clear errors.

Every child is started from the ``child_context`` fixture, so each test
runs once under spawn and once under forkserver: the workers must be
importable by name.
"""

import multiprocessing
import queue
import secrets
import threading
from concurrent.futures import ProcessPoolExecutor

import pytest

from multicore_guide import ipc
from multicore_guide.machine import join_all
from multicore_guide.timing import timer
from multicore_guide.workers import count_primes, is_prime, split_range

TIMEOUT = 30
NUMBERS = list(range(1_000, 1_060))
PRIMES = [n for n in NUMBERS if is_prime(n)]


def test_produce_puts_items_then_one_sentinel_per_consumer(child_context):
    tasks = child_context.Queue()
    ipc.produce(tasks, [1, 2, 3], 2)
    assert [tasks.get(timeout=TIMEOUT) for _ in range(5)] == [
        1,
        2,
        3,
        None,
        None,
    ]


@pytest.mark.parametrize(
    "items, consumers, error",
    [((1, 2), 1, TypeError), ([1], 0, ValueError), ([1], 1.0, TypeError)],
)
def test_produce_rejects_bad_arguments(items, consumers, error):
    with pytest.raises(error):
        ipc.produce(None, items, consumers)


def test_producer_and_consumers_find_every_prime(child_context):
    tasks, results = child_context.Queue(), child_context.Queue()
    consumers = [
        child_context.Process(
            target=ipc.consume_primes, args=(tasks, results, i)
        )
        for i in range(2)
    ]
    producer = child_context.Process(
        target=ipc.produce, args=(tasks, NUMBERS, 2)
    )
    for process in [producer, *consumers]:
        process.start()
    answers = [results.get(timeout=TIMEOUT) for _ in NUMBERS]
    assert join_all([producer, *consumers], TIMEOUT) == [0, 0, 0]
    assert sorted(n for _, n, prime in answers if prime) == PRIMES
    assert {cid for cid, _, _ in answers} <= {0, 1}


def test_consumer_gives_up_when_no_task_comes(child_context):
    with pytest.raises(queue.Empty):
        ipc.consume_primes(
            child_context.Queue(), child_context.Queue(), 0, timeout=0.05
        )


def test_joinable_queue_join_returns_once_all_tasks_are_done(child_context):
    tasks, results = child_context.JoinableQueue(), child_context.Queue()
    worker = child_context.Process(
        target=ipc.serve_tasks, args=(tasks, results)
    )
    worker.start()
    for n in NUMBERS:
        tasks.put(n)
    ipc.join_queue(tasks, TIMEOUT)
    assert worker.is_alive()
    batch = sorted(results.get(timeout=TIMEOUT) for _ in NUMBERS)
    tasks.put(ipc.SENTINEL)
    assert join_all([worker], TIMEOUT) == [0]
    assert [n for n, prime in batch if prime] == PRIMES


def test_join_queue_times_out_on_an_unfinished_task(child_context):
    tasks = child_context.JoinableQueue()
    tasks.put(1)  # never marked done
    with pytest.raises(TimeoutError):
        ipc.join_queue(tasks, 0.2)
    tasks.get(timeout=TIMEOUT)
    tasks.task_done()


def test_join_queue_rejects_a_plain_object():
    with pytest.raises(TypeError):
        ipc.join_queue(object(), 1)


def test_get_within_reads_a_simple_queue_and_times_out(child_context):
    simple = child_context.SimpleQueue()
    producer = child_context.Process(
        target=ipc.produce, args=(simple, [7, 8], 1)
    )
    producer.start()
    got = [ipc.get_within(simple, TIMEOUT) for _ in range(3)]
    join_all([producer], TIMEOUT)
    assert got == [7, 8, None]
    with pytest.raises(TimeoutError):
        ipc.get_within(simple, 0.05)
    with pytest.raises(TimeoutError):
        ipc.get_within(child_context.Queue(), 0.05)
    with pytest.raises(ValueError):
        ipc.get_within(simple, -1)
    simple.close()


def test_square_server_answers_on_a_duplex_pipe(child_context):
    parent_end, child_end = child_context.Pipe()
    server = child_context.Process(target=ipc.square_server, args=(child_end,))
    server.start()
    child_end.close()
    answers = []
    for n in [2, 3, 1.5]:
        parent_end.send(n)
        assert parent_end.poll(TIMEOUT)
        answers.append(parent_end.recv())
    parent_end.send(ipc.SENTINEL)
    assert join_all([server], TIMEOUT) == [0]
    parent_end.close()
    assert answers == [4, 9, 2.25]


def test_square_server_rejects_a_non_number():
    parent_end, child_end = multiprocessing.Pipe()
    parent_end.send("three")
    with pytest.raises(TypeError):
        ipc.square_server(child_end, timeout=1)
    parent_end.close()


def test_square_server_stops_when_the_other_end_closes():
    parent_end, child_end = multiprocessing.Pipe()
    parent_end.close()
    ipc.square_server(child_end, timeout=1)  # returns instead of waiting
    assert child_end.closed


def test_send_primes_ends_with_end_of_file(child_context):
    reader, writer = child_context.Pipe(duplex=False)
    sender = child_context.Process(
        target=ipc.send_primes, args=(writer, 1_000, 1_060)
    )
    sender.start()
    writer.close()
    got = []
    while reader.poll(TIMEOUT):
        try:
            got.append(reader.recv())
        except EOFError:
            break
    assert join_all([sender], TIMEOUT) == [0]
    reader.close()
    assert got == PRIMES


def test_send_primes_rejects_bad_ranges_and_closes_its_end():
    reader, writer = multiprocessing.Pipe(duplex=False)
    with pytest.raises(ValueError):
        ipc.send_primes(writer, 10, 5)
    assert writer.closed
    reader.close()


def test_manager_queue_carries_progress_from_pool_tasks(child_context):
    blocks = split_range(0, 5_000, 4)
    with child_context.Manager() as manager:
        progress = manager.Queue()
        with ProcessPoolExecutor(2, mp_context=child_context) as pool:
            futures = [
                pool.submit(ipc.count_primes_reporting, b, progress)
                for b in blocks
            ]
            counts = [f.result(timeout=TIMEOUT) for f in futures]
        reports = sorted(progress.get(timeout=TIMEOUT) for _ in blocks)
    assert sum(counts) == count_primes(0, 5_000)
    assert reports == [("done", b) for b in blocks]


def test_plain_queue_cannot_be_a_pool_task_argument(child_context):
    with ProcessPoolExecutor(1, mp_context=child_context) as pool:
        future = pool.submit(
            ipc.count_primes_reporting, (0, 10), child_context.Queue()
        )
        with pytest.raises(RuntimeError, match="inheritance"):
            future.result(timeout=TIMEOUT)


def test_initializer_gives_pool_workers_a_plain_queue(child_context):
    blocks = split_range(0, 5_000, 4)
    progress = child_context.Queue()
    with ProcessPoolExecutor(
        2,
        mp_context=child_context,
        initializer=ipc.set_worker_queue,
        initargs=(progress,),
    ) as pool:
        futures = [
            pool.submit(ipc.count_primes_to_worker_queue, b) for b in blocks
        ]
        reports = sorted(progress.get(timeout=TIMEOUT) for _ in blocks)
        counts = [f.result(timeout=TIMEOUT) for f in futures]
    assert counts == [count_primes(*b) for b in blocks]
    assert reports == [("done", b) for b in blocks]


def test_worker_queue_needs_the_initializer():
    with pytest.raises(TypeError):
        ipc.set_worker_queue(object())
    assert ipc._worker_queue is None  # nothing was kept
    with pytest.raises(RuntimeError, match="initializer"):
        ipc.count_primes_to_worker_queue((0, 10))


def test_put_payload_blocks_exit_until_drained(child_context):
    queue = child_context.Queue()
    child = child_context.Process(
        target=ipc.put_payload, args=(queue, 500_000)
    )
    child.start()
    child.join(timeout=0.5)
    stuck = child.is_alive()
    payload = queue.get(timeout=TIMEOUT)
    assert join_all([child], TIMEOUT) == [0]
    assert stuck and len(payload) == 500_000


def test_put_payload_rejects_a_negative_size():
    with pytest.raises(ValueError):
        ipc.put_payload(None, -1)


@pytest.mark.parametrize("kind", ipc.CHANNELS)
def test_measure_throughput_times_the_messages_it_counts(child_context, kind):
    n = 200
    with timer(kind) as outside:
        rate = ipc.measure_throughput(
            kind, 1024, n, context=child_context, timeout=TIMEOUT
        )
    # the timed transfer of n messages happens inside the call
    assert n / rate <= outside.median
    # and each message costs more than 0.1 microseconds (two system calls at least)
    assert rate < 1e7
    assert not multiprocessing.active_children()


@pytest.mark.parametrize("kind", ipc.CHANNELS)
def test_measure_throughput_sends_larger_messages_more_slowly(
    child_context, kind
):
    small = ipc.measure_throughput(
        kind, 1024, 200, context=child_context, timeout=TIMEOUT
    )
    large = ipc.measure_throughput(
        kind, 2**20, 10, context=child_context, timeout=TIMEOUT
    )
    # a thousand times the bytes: hundreds of times slower where measured
    assert small > 5 * large


LINUX_PIPES = pytest.mark.skipif(
    not hasattr(ipc.fcntl, "F_SETPIPE_SZ"), reason="needs Linux's F_SETPIPE_SZ"
)


@LINUX_PIPES
def test_set_pipe_capacity_enlarges_both_ends():
    reader, writer = multiprocessing.Pipe(duplex=False)
    assert (
        ipc.fcntl.fcntl(writer.fileno(), ipc.fcntl.F_GETPIPE_SZ) == 2**16
    )  # the default
    assert ipc.set_pipe_capacity(reader, 2**20) == 2**20
    assert ipc.fcntl.fcntl(writer.fileno(), ipc.fcntl.F_GETPIPE_SZ) == 2**20
    assert (
        5_000 <= ipc.set_pipe_capacity(writer, 5_000) < 2**20
    )  # rounded up to whole pages
    with pytest.raises(ValueError):
        ipc.set_pipe_capacity(reader, 0)
    reader.close()
    writer.close()


@LINUX_PIPES
def test_measure_throughput_takes_a_pipe_size(child_context):
    rate = ipc.measure_throughput(
        "Pipe",
        2**20,
        4,
        context=child_context,
        timeout=TIMEOUT,
        pipe_bytes=2**20,
    )
    assert 4 / rate < TIMEOUT
    assert not multiprocessing.active_children()
    with pytest.raises(ValueError):
        ipc.measure_throughput("Queue", 16, 1, pipe_bytes=2**20)
    with pytest.raises(ValueError):
        ipc.measure_throughput("Pipe", 16, 1, pipe_bytes=0)


@pytest.mark.parametrize(
    "kind, size, n, error",
    [
        ("Socket", 1, 1, ValueError),
        ("Pipe", -1, 1, ValueError),
        ("Pipe", 1, 0, ValueError),
        ("Queue", 1.5, 1, TypeError),
    ],
)
def test_measure_throughput_rejects_bad_arguments(kind, size, n, error):
    with pytest.raises(error):
        ipc.measure_throughput(kind, size, n)


def test_send_messages_needs_a_channel():
    with pytest.raises(TypeError):
        ipc.send_messages(object(), 1, 1)


def test_send_messages_sends_ready_then_messages():
    reader, writer = multiprocessing.Pipe(duplex=False)
    thread = threading.Thread(target=ipc.send_messages, args=(writer, 3, 4))
    thread.start()
    got = [reader.recv() for _ in range(4)]
    thread.join(TIMEOUT)
    assert got == ["ready", b"xxxx", b"xxxx", b"xxxx"]
    with pytest.raises(EOFError):
        reader.recv()


def test_loopback_server_serves_the_key_and_refuses_a_guess(child_context):
    authkey = secrets.token_bytes(32)
    report, report_child = child_context.Pipe()
    server = child_context.Process(
        target=ipc.serve_squares, args=(report_child, authkey, 2)
    )
    server.start()
    report_child.close()
    assert report.poll(TIMEOUT)
    address = report.recv()
    assert address[0] == "127.0.0.1"
    assert ipc.ask_squares(address, authkey, [3, 4], TIMEOUT) == [9, 16]
    with pytest.raises(multiprocessing.AuthenticationError):
        ipc.ask_squares(address, b"not the key at all", [5], TIMEOUT)
    assert report.poll(TIMEOUT)
    assert report.recv() == {"served": 1, "rejected": 1}
    assert join_all([server], TIMEOUT) == [0]
    report.close()


@pytest.mark.parametrize(
    "authkey, n, error",
    [
        ("text key of length", 1, TypeError),
        (b"short", 1, ValueError),
        (b"k" * 32, 0, ValueError),
    ],
)
def test_serve_squares_rejects_bad_arguments(authkey, n, error):
    report, report_child = multiprocessing.Pipe()
    with pytest.raises(error):
        ipc.serve_squares(report_child, authkey, n)
    assert report_child.closed
    report.close()


def test_ask_squares_rejects_bad_arguments():
    with pytest.raises(TypeError):
        ipc.ask_squares(("127.0.0.1", 1), "key", [1])
    with pytest.raises(TypeError):
        ipc.ask_squares(("127.0.0.1", 1), b"key", (1,))
