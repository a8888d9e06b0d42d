"""The bulk screening worker: officers' uploaded people files, screened one job at a time per scheduler.

Every scheduler runs it (not only the leader): a job is claimed under a lease (licensing/screening/bulk.py),
with SKIP LOCKED on PostgreSQL, so several schedulers work different jobs at once and never the same one.
A scheduler that dies mid-job leaves its lease to expire; the next claim takes the job again from the start.
"""

import logging
from collections import Counter

from licensing.clock import utcnow
from licensing.screening.bulk import run_next_job

log = logging.getLogger("crosscheck.scheduler")


def screen_bulk(context) -> Counter:
    """Work bulk screening jobs one after another until none waits or the process is stopping."""
    total = Counter()
    while not context.stopping.is_set():
        ran = run_next_job(context.engine, clock=utcnow, stopping=context.stopping.is_set)
        if ran is None:
            break
        job_id, outcome = ran
        total[outcome] += 1
        log.info(
            "bulk screening job %s: %s", job_id, outcome, extra={"job": "screen_bulk", "outcome": outcome}
        )
    return total
