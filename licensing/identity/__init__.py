"""A person's identity: the fields it is written in (fields.py), the one rule every entry point reads
names, dates of birth and identifiers by, strict or (for a search by identifier) lenient about the
names, and the warnings a stored identity carries (validation.py). The identifiers' patterns are the
matching engine's (licensing/matching/identifiers.py), which this package builds on.
"""
