"""Wiring: the corpus run, the per-document step with its cache, and writing the outputs.

The stages in `pipeline/` are functions over records and frames; this package does the I/O around them.
"""
