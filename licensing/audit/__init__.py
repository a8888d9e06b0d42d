"""The audit trail: the append-only, hash-chained log of who did what to which record and why, and a
record's trail as its own council sees it.
"""
