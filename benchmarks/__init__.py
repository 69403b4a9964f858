"""Benchmarks for `make bench`: retrieval quality (domain questions, XQuAD-de) and speed."""
