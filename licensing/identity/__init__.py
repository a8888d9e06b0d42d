"""A person's identity as it comes in: the one rule every entry point reads names, dates of birth and
identifiers by, and the warnings a stored identity carries.
"""
