"""The conversation engine: messenger-independent routing, answering and short-term memory.

Nothing below this package imports ``telegram``.
"""
