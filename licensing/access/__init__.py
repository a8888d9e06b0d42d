"""Who may act, and how they prove it: officers and their sign-in (passwords, second factor, councils'
own identity providers, set-password links), API clients and their keys, the actor every service is
called with, and idempotency keys for retried API requests.
"""
