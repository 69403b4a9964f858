"""Understanding a message: what it asks, what it names, whether it continues the conversation.

Pure functions over the text and the names the knowledge base knows; no model, no I/O.
"""
