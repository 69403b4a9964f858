"""Is the assistant ready to serve? One check per dependency, each a German line for operators.

``check_readiness(ctx)`` runs every check on a context and returns them in a fixed order:
settings, data directory, manifest, Chroma (reachable and holding every chunk the manifest lists),
database (reachable, migrations at head) and the knowledge folder. ``digitalteam doctor`` prints
them; a ``/readyz`` endpoint can return them as JSON (``Check.to_json``). A check never raises for
the condition it checks: it reports it, without secrets (passwords in URLs are masked).

Nothing here builds a service the check does not need: the manifest is read without Chroma, the
database is inspected without running migrations (an already opened database is reused).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import ConfigurationError, redact

if TYPE_CHECKING:
    from pydantic import ValidationError

    from bot.context import AppContext


@dataclass(frozen=True)
class Check:
    """The outcome of one readiness check."""

    name: str  # stable key: settings, data_dir, manifest, chroma, database, knowledge
    label: str  # German name of what was checked
    ok: bool
    detail: str  # German; on failure what is wrong and what to do
    setting: str = ""  # the environment variable to look at when it failed

    def line(self) -> str:
        """``OK      Datenbank: …`` or ``FEHLER  Datenbank: DT_DATABASE_URL – …``."""
        where = f"{self.setting} – " if self.setting and not self.ok else ""
        return f"{'OK' if self.ok else 'FEHLER':<7} {self.label}: {where}{self.detail}"

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def settings_failed(exc: ValidationError) -> Check:
    """The settings check when the settings could not be loaded."""
    from bot.settings import describe_error

    lines = describe_error(exc).splitlines() or ["ungültig"]
    setting, _, first = lines[0].partition(": ")
    if not setting.startswith("DT_") or not first:
        setting, first = "", lines[0]
    return Check("settings", "Einstellungen", False, "; ".join([first, *lines[1:]]), setting)


def writable_problem(path: Path) -> str | None:
    """Why ``path`` cannot hold the index and the database, or None if it can (creates it)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        return f"Datenverzeichnis nicht beschreibbar ({path}: {exc.strerror or exc})"
    return None


def require_writable_data_dir(ctx: AppContext) -> None:
    """Raise the operator's ConfigurationError when DT_DATA_DIR cannot be written."""
    problem = writable_problem(ctx.settings.data_dir)
    if problem:
        raise ConfigurationError(problem, "DT_DATA_DIR")


def check_settings(ctx: AppContext) -> Check:
    env_file = ctx.settings.model_config.get("env_file")
    source = f", mit {env_file}" if env_file and Path(str(env_file)).is_file() else ""
    return Check("settings", "Einstellungen", True, f"geladen (Umgebung{source})")


def check_data_dir(ctx: AppContext) -> Check:
    problem = writable_problem(ctx.settings.data_dir)
    if problem:
        return Check("data_dir", "Datenverzeichnis", False, problem, "DT_DATA_DIR")
    return Check("data_dir", "Datenverzeichnis", True, f"{ctx.settings.data_dir} beschreibbar")


def check_manifest(ctx: AppContext) -> Check:
    from ingest.errors import ManifestCorrupt
    from ingest.manifest import load_manifest

    path = ctx.settings.data_dir / "manifest.json"
    try:
        manifest = load_manifest(path)
    except (ManifestCorrupt, OSError) as exc:
        detail = (
            f"{path} unlesbar ({getattr(exc, 'detail', exc)}); 'digitalteam ingest' baut neu auf"
        )
        return Check("manifest", "Manifest", False, detail, "DT_DATA_DIR")
    if manifest is None or not manifest.files:
        detail = f"kein Index in {path.parent}; 'digitalteam ingest' ausführen"
        return Check("manifest", "Manifest", False, detail, "DT_DATA_DIR")
    chunks = len(manifest.live_chunk_ids())
    detail = (
        f"{len(manifest.files)} Dokumente, {chunks} Abschnitte, Generation {manifest.generation}"
    )
    return Check("manifest", "Manifest", True, detail)


def check_chroma(ctx: AppContext) -> Check:
    from bot.context import chroma_config
    from bot.errors import operator_error
    from ingest.errors import IngestError, ManifestCorrupt

    try:
        health = ctx.index.verify()
    except ManifestCorrupt:
        return Check("chroma", "Chroma", False, "nicht geprüft: Manifest unlesbar", "DT_DATA_DIR")
    except IngestError as exc:
        error = operator_error(exc, ctx.settings)
        if error is None:
            raise
        return Check("chroma", "Chroma", False, error.problem, error.setting)
    where = chroma_config(ctx.settings).describe()
    if not health.ok:
        setting = "DT_CHROMA_HOST" if ctx.settings.chroma_host else "DT_DATA_DIR"
        detail = (
            f"{health.missing_chunks} von {health.listed} Abschnitten ({len(health.missing)} "
            f"Dokumente) fehlen in {where}; 'digitalteam ingest' liest sie neu ein"
        )
        return Check("chroma", "Chroma", False, detail, setting)
    return Check("chroma", "Chroma", True, f"{where}: alle {health.listed} Abschnitte vorhanden")


def check_database(ctx: AppContext) -> Check:
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.exc import SQLAlchemyError

    from bot.errors import describe_exception, safe_url, url_password
    from bot.store.database import MIGRATIONS_DIR, make_engine

    settings = ctx.settings
    url = settings.resolved_database_url
    setting = "DT_DATABASE_URL" if settings.database_url else "DT_DATA_DIR"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    opened = ctx.opened_database()
    try:
        engine = opened.engine if opened is not None else make_engine(url)
        try:
            with engine.connect() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
        finally:
            if opened is None:
                engine.dispose()
    except (SQLAlchemyError, ImportError, OSError) as exc:
        detail = f"nicht erreichbar ({safe_url(url)}: {describe_exception(exc)})"
        return Check("database", "Datenbank", False, redact(detail, url_password(url)), setting)
    if current != heads:
        detail = (
            f"Migrationen nicht aktuell (Stand {', '.join(sorted(current)) or 'leer'}, erwartet "
            f"{', '.join(sorted(heads))}); 'digitalteam run' spielt sie beim Start ein"
        )
        return Check("database", "Datenbank", False, detail, setting)
    return Check("database", "Datenbank", True, f"{safe_url(url)}, Migrationen aktuell")


def check_knowledge(ctx: AppContext) -> Check:
    folder = ctx.settings.knowledge_dir
    if not folder.is_dir():
        return Check("knowledge", "Wissensordner", False, f"{folder} fehlt", "DT_KNOWLEDGE_DIR")
    files = sum(
        1
        for path in folder.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts)
    )
    if not files:
        return Check("knowledge", "Wissensordner", False, f"{folder} ist leer", "DT_KNOWLEDGE_DIR")
    return Check("knowledge", "Wissensordner", True, f"{folder}: {files} Dateien")


CHECKS: tuple[Callable[[AppContext], Check], ...] = (
    check_settings,
    check_data_dir,
    check_manifest,
    check_chroma,
    check_database,
    check_knowledge,
)


def check_readiness(ctx: AppContext) -> list[Check]:
    """Every readiness check on ``ctx``, in order."""
    return [check(ctx) for check in CHECKS]
