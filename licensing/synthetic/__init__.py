"""Synthetic people, licences and register entries for the demo, the tests and the benchmarks.

Use them through licensing.synthetic.generator; the other modules are its parts (name pools, towns,
identifiers, one person, licence and register fields). Nothing here describes a real person.
"""
