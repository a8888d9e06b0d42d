"""Continuous monitoring: the scheduled checks that turn the passing of time into alerts.

Each job is a plain function taking a session and `now` (and what else it needs, such as settings or a
DBS status callable), commits its own work, returns a Counter of what it did, and may run twice or on
two schedulers without alerting twice: every alert carries a dedupe key naming the event it reports
(licensing.alerts.outbox.raise_alert). The scheduler's thin wrappers are in scheduler/monitoring_jobs.py.
"""
