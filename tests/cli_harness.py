"""Run ``digitalteam`` in process: ``bot.cli.main(argv)`` with its own environment, stdin and output.

A run looks like a finished process (exit code, stdout, stderr), so the CLI tests read the same as
with a subprocess, without paying for a new interpreter and a model load per command. Only a few
tests start the real thing (``python -m bot.cli``, the installed script), see ``tests/test_cli.py``.
"""

from __future__ import annotations

import io
import logging
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CliRun:
    """What a finished ``digitalteam`` run left behind."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
) -> CliRun:
    """Run ``digitalteam *args`` over ``root``/data and ``root``/knowledge, from the repository.

    The environment changes last for this run only; logging handlers and levels the command sets
    up are restored afterwards, so runs do not leak into each other.
    """
    out, err = io.StringIO(), io.StringIO()
    logger_levels = {
        name: logger.level
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    root_handlers = logging.root.handlers[:]
    with monkeypatch.context() as patch:
        patch.setenv("DT_DATA_DIR", str(root / "data"))
        patch.setenv("DT_KNOWLEDGE_DIR", str(root / "knowledge"))
        for key, value in (env or {}).items():
            patch.setenv(key, value)
        patch.chdir(REPO)
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            with redirect_stdout(out), redirect_stderr(err):
                try:
                    code = main(list(args))
                except SystemExit as exit_:  # argparse: usage errors and --help
                    code = exit_.code if isinstance(exit_.code, int) else int(bool(exit_.code))
        finally:
            logging.root.handlers[:] = root_handlers
            for name, level in logger_levels.items():
                logging.getLogger(name).setLevel(level)
    return CliRun(code, out.getvalue(), err.getvalue())
