"""Four habits that work under fork and break under spawn and forkserver.

usage: python what_breaks.py

For each start method, and for the interpreter's default, the script runs
four targets in a child process and prints, as JSON, what each gave back:
a result, or the name of the exception that stopped it.
"""

import json
import multiprocessing
import sys

CACHE = {}  # filled by the parent, under the guard


def scale(number):
    return number * FACTOR  # FACTOR is set only under the guard below


def make_adder(step):
    def add(number):
        return number + step

    return add


def cached(key):
    return CACHE.get(key, "missing")


def report(target, argument, answers):
    try:
        answers.put(("ok", target(argument)))
    except Exception as error:
        answers.put(("error", type(error).__name__))


def outcome(ctx, target, argument):
    answers = ctx.Queue()
    child = ctx.Process(target=report, args=(target, argument, answers))
    try:
        child.start()  # spawn and forkserver pickle the target here
    except Exception as error:
        return f"{type(error).__name__} in the parent"  # while pickling
    kind, value = answers.get(timeout=30)
    child.join(timeout=30)
    return f"{value!r}" if kind == "ok" else f"{value} in the child"


if __name__ == "__main__":
    FACTOR = 10
    CACHE["model"] = "loaded"
    cases = {
        "global set under the guard": (scale, 3),
        "lambda": (lambda number: number + 1, 1),
        "local function": (make_adder(10), 1),
        "state filled by the parent": (cached, "model"),
    }
    methods = [
        m
        for m in ("fork", "forkserver", "spawn")
        if m in multiprocessing.get_all_start_methods()
    ]
    contexts = {m: multiprocessing.get_context(m) for m in methods}
    contexts["default"] = multiprocessing.get_context()
    results = {
        name: {case: outcome(ctx, *job) for case, job in cases.items()}
        for name, ctx in contexts.items()
    }
    results["default is"] = multiprocessing.get_start_method()
    json.dump(results, sys.stdout, indent=1)
