"""CSV imports of register entries and licences: the row formats and their checks, rows validated and
keyed in worker processes, batches written with their keys and audit events. The statements an import
runs are built in queries.py; its records' match keys go through licensing/screening/key_index.py.
"""
