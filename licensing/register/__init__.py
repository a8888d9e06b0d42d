"""The s.2 register: councils' refusals, suspensions and revocations, recorded and amended by the
council that made them, decisions recorded where they are made, and the register's published
statistics.
"""
