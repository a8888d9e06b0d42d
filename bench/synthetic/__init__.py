"""The parts of the synthetic data generator; use them through bench.generator."""
