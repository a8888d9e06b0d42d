"""Pure-Python work spread over worker processes, results in input order: large imports and screenings.

Parsing and keying import rows, and scoring applicants, are CPU work the interpreter runs on one core
at a time; worker processes use the others. `ordered_map` hands items to `workers` processes and gives
back each item with its result in the order the items came, with a bounded number in flight, so memory
stays flat however long the input. With no workers the same function runs here, one item at a time.

Either way the garbage collector runs less often while the work goes on. Scoring and parsing make
millions of short-lived objects that never form cycles, beside caches of long-lived ones that every
full collection walks again: at the default thresholds collection took a large share of a bulk
screening's time (figures: bench/README.md).
"""

import gc
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context

IN_FLIGHT_PER_WORKER = 4
# Allocations between young collections, and young (then middle) collections between older ones;
# the interpreter's defaults are (700, 10, 10).
GC_THRESHOLDS = (50_000, 50, 100)

# What a worker process's items are worked on with: set once per process by `_start`.
_context = None


def ordered_map(
    function: Callable,
    items: Iterable,
    *,
    workers: int,
    setup: Callable,
    args: tuple = (),
    ahead: int = 0,
) -> Iterator[tuple]:
    """Yield (item, function(item, context)) for every item, in order.

    The context is built once with `setup(*args)`: in each worker process, or here without workers.
    Up to `ahead` items (at least a few per worker) are worked on ahead of the consumer.
    """
    with fewer_collections():
        if workers <= 0:
            context = setup(*args)
            for item in items:
                yield item, function(item, context)
        else:
            yield from _in_workers(function, items, workers, setup, args, ahead)


def _in_workers(function: Callable, items: Iterable, workers: int, setup: Callable, args: tuple, ahead: int):
    """Do ordered_map's work in `workers` forked processes."""
    # fork: a worker starts at once with the engine already imported, and never re-runs the caller's
    # script (spawn does). Workers never touch the database connections they inherit, and leave with
    # os._exit, so those connections and their locks stay the calling process's alone.
    pool = ProcessPoolExecutor(
        workers, mp_context=get_context("fork"), initializer=_start, initargs=(setup, args)
    )
    with pool:
        pending: deque = deque()
        for item in items:
            pending.append((item, pool.submit(_run, function, item)))
            if len(pending) >= max(workers * IN_FLIGHT_PER_WORKER, ahead):
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


@contextmanager
def fewer_collections():
    """Collect garbage at GC_THRESHOLDS inside the block, at the thresholds it had before after it."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _start(setup: Callable, args: tuple) -> None:
    """Build this worker process's context; collect garbage rarely, and never walk what it inherited."""
    global _context
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    _context = setup(*args)


def _run(function: Callable, item):
    """Work on one item in a worker process."""
    return function(item, _context)
