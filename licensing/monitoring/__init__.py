"""Continuous monitoring: the scheduled checks that turn the passing of time into alerts.

Each job is a plain function taking `now` and what else it needs (settings, a DBS status callable)
besides the database: a session of the caller's unit of work, or, for a job that goes through the
register in batches, the engine, on which it opens a writing unit of work per batch
(licensing/persistence/unit_of_work.py), so that no transaction holds the database for the whole run.
Each returns a Counter of what it did, and may run twice or on two schedulers without alerting twice:
every alert carries a dedupe key naming the event it reports (licensing.alerts.outbox.raise_alert).
The statements the jobs run are built in queries.py. The thin wrappers the scheduler and `flask jobs
run` call are in app/periodic_jobs.py.
"""
