"""The audit trail: the append-only, hash-chained log of who did what to which record and why (log.py),
and the statements that write and read it (queries.py).
"""
