"""Benchmarks: `python -m bench NAME [options]`. Each prints its numbers and, last, its
headline figure. These measure; they assert nothing (the tests do that)."""
