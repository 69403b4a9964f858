"""Command line ``digitalteam``: one parser, one context per run (see ``bot.cli.main``).

Only argparse is imported up front; each command builds the services it uses from the context.
"""

from bot.cli.main import main

__all__ = ["main"]
