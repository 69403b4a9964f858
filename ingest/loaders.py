"""Loaders: file suffix -> function that turns bytes into a Document, with limits checked first.

Every loader raises :class:`DocumentRejected` with a German reason for anything it cannot read
(empty, too large, binary, wrong encoding, corrupt or encrypted PDF, broken DOCX, ...).
Hostile files are bounded by :class:`LoaderLimits`: page count, per-stream decompression and
parsing budgets and a deadline for PDFs; entry count, unpacked size, ratio and DTD-free XML for
DOCX; and a cap on the extracted text of every document.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.documents import Document, DocumentMeta
from ingest.errors import DocumentRejected
from ingest.frontmatter import meta_from_mapping, split_front_matter
from ingest.sniff import describe_binary

if TYPE_CHECKING:
    from pypdf import PdfReader


@dataclass(frozen=True)
class LoaderLimits:
    """Bounds that keep hostile or huge files from exhausting time and memory.

    ``max_seconds`` and ``max_memory_bytes`` bound the worker process that loads one file (see
    :mod:`ingest.sandbox`); ``max_chunks`` and ``max_text_chars`` bound what one file may add
    to the index.
    """

    max_bytes: int = 20 * 1024 * 1024
    max_pdf_pages: int = 500
    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_zip_ratio: int = 200
    max_zip_entries: int = 2000
    max_text_chars: int = 500_000
    max_chunks: int = 200
    max_pdf_stream_bytes: int = 20_000_000
    max_pdf_stream_tokens: int = 500_000
    max_seconds: float = 60.0
    max_memory_bytes: int = 1024 * 1024 * 1024
    isolate: bool = True


_Loader = Callable[[bytes, str, Path, LoaderLimits], tuple[str, DocumentMeta]]


def _title_from_path(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or path.name


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentRejected(
            "Der Text ist UTF-16-kodiert. Bitte als UTF-8 speichern und erneut hochladen."
        )
    if b"\x00" in data[:8192]:
        raise DocumentRejected("Die Datei ist eine Binärdatei und enthält keinen lesbaren Text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentRejected(
            "Der Text ist nicht UTF-8-kodiert. Bitte als UTF-8 speichern und erneut hochladen."
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _require_text(body: str) -> str:
    if not body.strip():
        raise DocumentRejected("Die Datei enthält keinen Text.")
    return body


def _first_heading(body: str) -> str | None:
    match = re.search(r"^#\s+(.+)$", body, flags=re.MULTILINE)
    return match.group(1).strip() if match else None


def load_markdown(
    data: bytes, source: str, path: Path, limits: LoaderLimits
) -> tuple[str, DocumentMeta]:
    """Markdown with optional YAML front matter."""
    front, body = split_front_matter(_decode_text(data))
    _require_text(body)
    meta = meta_from_mapping(front, _first_heading(body) or _title_from_path(path))
    return body, meta


def load_text(
    data: bytes, source: str, path: Path, limits: LoaderLimits
) -> tuple[str, DocumentMeta]:
    """Plain UTF-8 text; the first non-empty line becomes the title."""
    body = _require_text(_decode_text(data))
    first = next(line.strip() for line in body.split("\n") if line.strip())
    title = first if len(first) <= 120 else _title_from_path(path)
    return body, DocumentMeta(title=title)


def load_pdf(
    data: bytes, source: str, path: Path, limits: LoaderLimits
) -> tuple[str, DocumentMeta]:
    """PDF via pypdf: page text joined; encrypted, corrupt, huge or image-only PDFs are rejected."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PyPdfError

    pdf_errors: tuple[type[BaseException], ...] = (PyPdfError, *_PDF_ERRORS)

    if not data.lstrip()[:5].startswith(b"%PDF"):
        actual = describe_binary(data)
        if actual:
            raise DocumentRejected(f"Die Datei ist kein PDF, sondern {actual}.")
        raise DocumentRejected("Die Datei ist kein PDF (die PDF-Kennung fehlt).")
    stream_bytes = limits.max_pdf_stream_bytes
    try:
        with apply_configuration(
            zlib_maximum_output_length=stream_bytes,
            lzw_maximum_output_length=stream_bytes,
            run_length_maximum_output_length=stream_bytes,
            brotli_maximum_output_length=stream_bytes,
            array_based_stream_maximum_output_length=stream_bytes,
            stream_parsing_work_maximum_count=limits.max_pdf_stream_tokens,
        ):
            reader = PdfReader(io.BytesIO(data))
            _unlock_pdf(reader)
            _check_page_count(reader, limits)
            texts = _pdf_texts(reader, limits)
            info_title = (reader.metadata.title if reader.metadata else None) or ""
    except DocumentRejected:
        raise
    except LimitReachedError as exc:
        raise DocumentRejected(
            "Das PDF enthält ungewöhnlich große oder extrem stark komprimierte Inhalte "
            "(möglicherweise eine Dekompressionsbombe) und wird nicht verarbeitet."
        ) from exc
    except pdf_errors as exc:
        raise DocumentRejected("Das PDF ist beschädigt und kann nicht gelesen werden.") from exc
    body = "\n\n".join(t for t in texts if t)
    if not body.strip():
        raise DocumentRejected(
            "Das PDF enthält keinen auslesbaren Text (vielleicht ein Scan ohne Texterkennung)."
        )
    title = str(info_title).strip() or _title_from_path(path)
    return body, DocumentMeta(title=title)


# What pypdf raises on broken input besides its own errors (found by fuzzing corrupt PDFs).
_PDF_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    OverflowError,
    RecursionError,
    zlib.error,
    struct.error,
)


def _unlock_pdf(reader: PdfReader) -> None:
    """Open PDFs that only carry an owner password (print restrictions); refuse the others."""
    from pypdf.errors import PyPdfError

    if not reader.is_encrypted:
        return
    try:
        unlocked = bool(reader.decrypt(""))
    except (PyPdfError, NotImplementedError, ValueError):
        unlocked = False
    if not unlocked:
        raise DocumentRejected(
            "Das PDF ist verschlüsselt oder passwortgeschützt. Bitte ohne Passwortschutz hochladen."
        )


def _check_page_count(reader: PdfReader, limits: LoaderLimits) -> None:
    """Refuse PDFs over the page limit, judging by the declared count before walking the tree."""
    try:
        pages_root: Any = reader.trailer["/Root"]["/Pages"]  # type: ignore[index]
        declared = int(pages_root.get("/Count", 0))
    except (KeyError, TypeError, ValueError, AttributeError):
        declared = 0
    pages = declared if declared > limits.max_pdf_pages else len(reader.pages)
    if pages > limits.max_pdf_pages:
        raise DocumentRejected(
            f"Das PDF hat {pages} Seiten; erlaubt sind höchstens {limits.max_pdf_pages}."
        )


def _pdf_texts(reader: PdfReader, limits: LoaderLimits) -> list[str]:
    """Page texts, stopping at the text budget and the deadline."""
    deadline = time.monotonic() + limits.max_seconds
    texts: list[str] = []
    total = 0
    for page in reader.pages:
        if time.monotonic() > deadline:
            raise DocumentRejected(
                f"Das PDF lässt sich nicht in {limits.max_seconds:g} Sekunden auslesen und wird "
                "nicht verarbeitet."
            )
        text = (page.extract_text() or "").strip()
        total += len(text)
        if total > limits.max_text_chars:
            raise _too_much_text(limits)
        texts.append(text)
    return texts


def _too_much_text(limits: LoaderLimits) -> DocumentRejected:
    amount = f"{limits.max_text_chars:_}".replace("_", ".")
    return DocumentRejected(
        f"Die Datei enthält mehr als {amount} Zeichen Text; bitte in kleinere Dokumente aufteilen."
    )


class _TextBudget:
    """Counts extracted characters and stops a loader as soon as the text cap is passed."""

    def __init__(self, limits: LoaderLimits) -> None:
        self._limits = limits
        self._left = limits.max_text_chars

    def spend(self, text: str) -> str:
        self._left -= len(text)
        if self._left < 0:
            raise _too_much_text(self._limits)
        return text


_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


def _has_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True if an XML part declares a DTD or entities (never legitimate in Office Open XML)."""
    overlap = max(len(m) for m in _DTD_MARKERS)
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(64 * 1024):
            window = tail + chunk
            if any(marker in window for marker in _DTD_MARKERS):
                return True
            tail = window[-overlap:]
    return False


def _check_zip(data: bytes, limits: LoaderLimits) -> None:
    if not data.startswith(b"PK"):
        actual = describe_binary(data)
        if actual:
            raise DocumentRejected(f"Die Datei ist kein Word-Dokument (DOCX), sondern {actual}.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_zip_entries:
                raise DocumentRejected(
                    f"Die DOCX-Datei enthält {len(infos)} Teile; erlaubt sind höchstens "
                    f"{limits.max_zip_entries} (ZIP-Bombe?)."
                )
            total = sum(info.file_size for info in infos)
            packed = max(1, sum(info.compress_size for info in infos))
            if total > limits.max_unzipped_bytes or total / packed > limits.max_zip_ratio:
                raise DocumentRejected(
                    "Die DOCX-Datei entpackt sich auf eine unzulässige Größe (ZIP-Bombe?)."
                )
            if "word/document.xml" not in archive.namelist():
                raise DocumentRejected(
                    "Die Datei ist ein ZIP-Archiv, aber kein Word-Dokument (word/document.xml fehlt)."
                )
            xml_parts = [i for i in infos if i.filename.endswith((".xml", ".rels"))]
            if any(_has_dtd(archive, info) for info in xml_parts):
                raise DocumentRejected(
                    "Die DOCX-Datei enthält eine DTD oder externe Entitäten und wird aus "
                    "Sicherheitsgründen nicht verarbeitet."
                )
    except zipfile.BadZipFile as exc:
        raise DocumentRejected("Die DOCX-Datei ist beschädigt (kein gültiges ZIP-Archiv).") from exc
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, zlib.error) as exc:
        raise DocumentRejected(
            "Die DOCX-Datei ist beschädigt und kann nicht gelesen werden."
        ) from exc


def load_docx(
    data: bytes, source: str, path: Path, limits: LoaderLimits
) -> tuple[str, DocumentMeta]:
    """DOCX via python-docx; Word headings become Markdown headings."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_zip(data, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DocumentRejected(
            "Die DOCX-Datei ist beschädigt und kann nicht gelesen werden."
        ) from exc
    except Exception as exc:  # lxml raises its own XML errors for malformed parts
        if type(exc).__module__.startswith("lxml"):
            raise DocumentRejected("Die DOCX-Datei enthält fehlerhaftes XML.") from exc
        raise
    lines: list[str] = []
    budget = _TextBudget(limits)
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        budget.spend(text)
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = re.match(r"(?:Heading|Überschrift)\s*(\d)", style)
        if style == "Title":
            lines.append(f"# {text}")
        elif level:
            lines.append("#" * min(int(level.group(1)) + 1, 4) + " " + text)
        else:
            lines.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                lines.append(budget.spend(" | ".join(cells)))
    body = _require_text("\n\n".join(lines))
    title = (document.core_properties.title or "").strip()
    return body, DocumentMeta(title=title or _first_heading(body) or _title_from_path(path))


def load_html(
    data: bytes, source: str, path: Path, limits: LoaderLimits
) -> tuple[str, DocumentMeta]:
    """HTML via BeautifulSoup: scripts and navigation dropped, headings kept as Markdown."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode_text(data), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "template"]):
        tag.decompose()
    lines: list[str] = []
    budget = _TextBudget(limits)
    for element in soup.find_all(["h1", "h2", "h3", "h4", "p", "li", "td", "pre", "blockquote"]):
        text = " ".join(element.get_text(" ", strip=True).split())
        if not text:
            continue
        budget.spend(text)
        if element.name in ("h1", "h2", "h3", "h4"):
            lines.append("#" * int(element.name[1]) + " " + text)
        elif element.name == "li":
            lines.append(f"- {text}")
        else:
            lines.append(text)
    body = _require_text("\n\n".join(lines))
    title_tag = soup.find("title")
    title = title_tag.get_text(strip=True) if title_tag else ""
    return body, DocumentMeta(title=title or _first_heading(body) or _title_from_path(path))


LOADERS: dict[str, tuple[str, _Loader]] = {
    ".md": ("markdown", load_markdown),
    ".markdown": ("markdown", load_markdown),
    ".txt": ("text", load_text),
    ".pdf": ("pdf", load_pdf),
    ".docx": ("docx", load_docx),
    ".html": ("html", load_html),
    ".htm": ("html", load_html),
}


_TEXT_KINDS = frozenset({"markdown", "text", "html"})


def supported(path: Path) -> bool:
    """True if a loader exists for the file's suffix."""
    return path.suffix.lower() in LOADERS


def checksum(data: bytes) -> str:
    """Content hash that keys incremental sync."""
    return hashlib.sha256(data).hexdigest()


def read_bounded(path: Path, limits: LoaderLimits) -> bytes:
    """Read a file, refusing files over the size limit before reading them."""
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            mb = limits.max_bytes / (1024 * 1024)
            raise DocumentRejected(f"Die Datei ist größer als {mb:g} MB.")
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentRejected(f"Die Datei kann nicht gelesen werden ({exc.strerror}).") from exc
    if not data.strip():
        raise DocumentRejected("Die Datei ist leer.")
    return data


def load_bytes(data: bytes, source: str, path: Path, limits: LoaderLimits) -> Document:
    """Turn the bytes of a file into a Document, choosing the loader by suffix."""
    entry = LOADERS.get(path.suffix.lower())
    if entry is None:
        raise DocumentRejected(f"Der Dateityp '{path.suffix[:20]}' wird nicht unterstützt.")
    if len(data) > limits.max_bytes:
        raise DocumentRejected(f"Die Datei ist größer als {limits.max_bytes / (1024 * 1024):g} MB.")
    if not data.strip():
        raise DocumentRejected("Die Datei ist leer.")
    kind, loader = entry
    if kind in _TEXT_KINDS:
        actual = describe_binary(data)
        if actual:
            raise DocumentRejected(
                f"Die Datei ist eine Binärdatei – {actual} – und passt nicht zur Endung "
                f"'{path.suffix}'. Bitte mit der richtigen Endung speichern."
            )
    body, meta = loader(data, source, path, limits)
    if len(body) > limits.max_text_chars:
        raise _too_much_text(limits)
    return Document(
        source=source, path=path, body=body, meta=meta, checksum=checksum(data), kind=kind
    )


def load_file(path: Path, source: str, limits: LoaderLimits) -> Document:
    """Read and load one file from disk."""
    return load_bytes(read_bounded(path, limits), source, path, limits)
