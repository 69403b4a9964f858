"""Settings: .env.example parses, and every setting is documented in .env.example and README."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import Settings, describe_error
from tests.conftest import REPO_ROOT


def test_env_example_parses_to_defaults() -> None:
    from_example = Settings(_env_file=REPO_ROOT / ".env.example")  # type: ignore[call-arg]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert from_example.model_dump() == defaults.model_dump()


@pytest.mark.parametrize("document", [".env.example", "README.md"])
def test_every_setting_is_documented(document: str) -> None:
    text = (REPO_ROOT / document).read_text(encoding="utf-8")
    missing = [
        f"DT_{name.upper()}" for name in Settings.model_fields if f"DT_{name.upper()}" not in text
    ]
    assert missing == []


def test_error_message_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DT_MAX_CHUNKS_PER_DOC", "viele")
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert describe_error(caught.value).startswith("DT_MAX_CHUNKS_PER_DOC:")
