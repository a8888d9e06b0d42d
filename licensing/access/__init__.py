"""Who may act, and how they prove it: officers and their sign-in (passwords, second factor, councils'
own identity providers, set-password links), API clients and their keys, and idempotency keys for
retried API requests. The statements these services run are built in queries.py.
"""
