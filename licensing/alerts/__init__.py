"""Alerts and how they reach councils: the outbox written with each change, the delivery bookkeeping
the scheduler sends from, councils' webhook and e-mail subscriptions (with the rule for addresses a
webhook may not reach), and an officer's inbox of alerts and deadlines. Every statement they run is
built in `queries.py`.
"""
