"""Screening: finding the records that may be the same person as a subject. The match-key index and
the name counts the engine weighs names by, candidate lookup, the screening service, officers' "not the
same person" rulings, bulk screening of a people file, and what a council may see of a record found.
The statements all of them run are built in queries.py.
"""
