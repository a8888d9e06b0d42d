"""ordered_map: results in input order with or without worker processes, and the collector's settings."""

import gc
import os

import pytest

from licensing.workers import GC_THRESHOLDS, ordered_map


def _square(item: int, context: dict) -> tuple:
    """Return the item's square, the context's offset, and what this process's collector is set to."""
    return item * item + context["offset"], os.getpid(), gc.get_threshold(), gc.get_freeze_count()


def _setup(offset: int) -> dict:
    """Build the context every item is worked on with."""
    return {"offset": offset}


@pytest.mark.parametrize("workers", [0, 2])
def test_results_come_back_in_input_order_with_the_context(workers):
    items = list(range(40))
    results = list(ordered_map(_square, items, workers=workers, setup=_setup, args=(100,)))
    assert [item for item, _ in results] == items
    assert [value for _, (value, *_) in results] == [i * i + 100 for i in items]
    pids = {pid for _, (_, pid, _, _) in results}
    assert (pids == {os.getpid()}) if workers == 0 else (os.getpid() not in pids)


@pytest.mark.parametrize("workers", [0, 2])
def test_the_collector_runs_less_often_during_the_work_and_as_before_after_it(workers):
    before = gc.get_threshold()
    assert before != GC_THRESHOLDS
    seen = []
    for _, (_, _, thresholds, frozen) in ordered_map(
        _square, range(8), workers=workers, setup=_setup, args=(0,)
    ):
        seen.append((thresholds, frozen))
        assert gc.get_threshold() == GC_THRESHOLDS  # the consumer's side too, while the work goes on
    assert {thresholds for thresholds, _ in seen} == {GC_THRESHOLDS}
    if workers:
        # A worker never walks the objects it inherited from this process.
        assert all(frozen > 0 for _, frozen in seen)
    assert gc.get_threshold() == before


def test_the_collector_is_set_back_when_the_work_fails():
    before = gc.get_threshold()

    def fail(item, context):
        raise ValueError(item)

    with pytest.raises(ValueError):
        list(ordered_map(fail, [1], workers=0, setup=_setup, args=(0,)))
    assert gc.get_threshold() == before
