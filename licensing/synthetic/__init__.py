"""Synthetic people, licences and register entries for the demo, the tests and the benchmarks.

Use them through licensing.synthetic.generator; the other modules are its parts (name pools, towns,
identifiers, one person, licence and register fields). queries.py holds the statements the demo's
seeding runs to find what the register already holds. Nothing here describes a real person.
"""
