"""Document pipeline: load documents, chunk them, embed them and keep the index in sync.

This package imports nothing from ``bot``; the application reads the index through
:class:`ingest.index.KnowledgeIndex`.
"""
