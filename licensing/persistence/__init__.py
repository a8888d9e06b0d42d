"""Storage: engines and sessions for SQLite and PostgreSQL, the records (models) they hold, and the
keyset pagination every list is walked by.
"""
