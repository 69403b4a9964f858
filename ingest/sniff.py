"""Content sniffing: what a file really is, judged by its bytes and never by its name.

``sniff_suffix`` maps the bytes of an upload to the loader suffix that can read it (``.pdf``,
``.docx``, ``.html``, ``.md``, ``.txt``) or raises :class:`DocumentRejected` with a German reason
that names what the file actually is (an image, a spreadsheet, an old Word file, ...).
"""

from __future__ import annotations

import io
import re
import zipfile

from ingest.errors import DocumentRejected

# Magic numbers of formats editors are likely to send by mistake, with a German name.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "ein PDF"),
    (b"PK\x03\x04", "ein ZIP-Archiv oder Office-Dokument"),
    (b"PK\x05\x06", "ein leeres ZIP-Archiv"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ein altes oder passwortgeschütztes Office-Dokument"),
    (b"\x89PNG\r\n\x1a\n", "ein Bild (PNG)"),
    (b"\xff\xd8\xff", "ein Bild (JPEG)"),
    (b"GIF87a", "ein Bild (GIF)"),
    (b"GIF89a", "ein Bild (GIF)"),
    (b"RIFF", "eine Medien-Datei (RIFF)"),
    (b"\x1f\x8b", "ein komprimiertes Archiv (gzip)"),
    (b"7z\xbc\xaf\x27\x1c", "ein komprimiertes Archiv (7z)"),
    (b"Rar!", "ein komprimiertes Archiv (RAR)"),
    (b"MZ", "ein Windows-Programm"),
    (b"\x7fELF", "ein Programm"),
    (b"{\\rtf", "ein RTF-Dokument"),
    (b"ID3", "eine Audiodatei (MP3)"),
    (b"OggS", "eine Audio- oder Videodatei (Ogg)"),
)
_FTYP = re.compile(rb"^....ftyp", flags=re.DOTALL)
_HTML = re.compile(rb"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", flags=re.I)
_HTML_TAGS = re.compile(rb"<(?:p|div|h[1-6]|ul|ol|table|article|section)[\s>]", flags=re.I)
_MARKDOWN = re.compile(r"^(?:---\s*$|#{1,6}\s+\S|[-*+]\s+\S|\d+\.\s+\S|>\s)", flags=re.M)
_UTF8_BOM = b"\xef\xbb\xbf"


def describe_binary(data: bytes) -> str | None:
    """German name of a known binary format ('ein PDF', 'ein Bild (PNG)'), or None."""
    head = data[:64].lstrip()[:16]
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    if _FTYP.match(data[:12]):
        return "eine Video- oder Bilddatei (MP4/HEIC)"
    return None


def _zip_names(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _office_kind(names: list[str]) -> str | None:
    if "word/document.xml" in names:
        return ".docx"
    if any(n.startswith("xl/") for n in names):
        raise DocumentRejected(
            "Die Datei ist eine Excel-Tabelle. Unterstützt werden PDF, DOCX, Markdown, Text und HTML."
        )
    if any(n.startswith("ppt/") for n in names):
        raise DocumentRejected(
            "Die Datei ist eine PowerPoint-Präsentation. Bitte als PDF exportieren und hochladen."
        )
    if "content.xml" in names and "mimetype" in names:
        raise DocumentRejected(
            "Die Datei ist ein OpenDocument (LibreOffice). Bitte als DOCX oder PDF speichern."
        )
    return None


def _check_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentRejected(
            "Der Text ist UTF-16-kodiert. Bitte als UTF-8 speichern und erneut hochladen."
        )
    if b"\x00" in data[:8192]:
        raise DocumentRejected(
            "Die Datei ist eine Binärdatei unbekannten Typs. Unterstützt werden PDF, DOCX, "
            "Markdown, Text und HTML."
        )
    try:
        return data.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentRejected(
            "Der Text ist nicht UTF-8-kodiert. Bitte als UTF-8 speichern und erneut hochladen."
        ) from exc


def sniff_suffix(data: bytes) -> str:
    """The loader suffix for these bytes, decided by content alone.

    Raises:
        DocumentRejected: empty, unsupported or unreadable content, with a German reason.
    """
    if not data.strip():
        raise DocumentRejected("Die Datei ist leer.")
    if data.lstrip()[:5].startswith(b"%PDF"):
        return ".pdf"
    if data.startswith(b"PK\x03\x04"):
        names = _zip_names(data)
        if names is None:
            raise DocumentRejected("Die Datei ist ein beschädigtes ZIP-Archiv.")
        kind = _office_kind(names)
        if kind is None:
            raise DocumentRejected(
                "Die Datei ist ein ZIP-Archiv, aber kein Word-Dokument (DOCX). Bitte die "
                "Dokumente einzeln senden."
            )
        return kind
    binary = describe_binary(data)
    if binary is not None:
        raise DocumentRejected(
            f"Die Datei ist {binary}. Unterstützt werden PDF, DOCX, Markdown, Text und HTML."
        )
    text = _check_text(data)
    head = text[:4096].encode("utf-8", errors="replace")
    if _HTML.match(head) or len(_HTML_TAGS.findall(head)) >= 2:
        return ".html"
    if _MARKDOWN.search(text[:20_000]):
        return ".md"
    return ".txt"
