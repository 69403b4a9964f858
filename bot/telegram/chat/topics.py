"""/themen: browse topics and documents of the index with paged inline keyboards and back buttons.

Navigation edits the same message. Buttons carry the manifest generation; after an ingest run an
old button shows the current topic list instead of a different document.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.answer.citations import german_date
from bot.telegram import callbacks, texts
from bot.telegram.chat.catalog import Catalog, Topic, build_catalog, document_details
from bot.telegram.render import escape, link
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

TOPICS_PER_PAGE = 8
DOCS_PER_PAGE = 6
_LABEL_CHARS = 60

Screen = tuple[str, InlineKeyboardMarkup | None]


def _label(text: str) -> str:
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "…"


def _pages(count: int, size: int) -> int:
    return max(1, -(-count // size))


def _nav_row(page: int, pages: int, target: Callable[[int], str]) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(texts.BUTTON_PREV, callback_data=target(page - 1)))
    row.append(InlineKeyboardButton(f"{page + 1}/{pages}", callback_data=callbacks.NOOP))
    if page < pages - 1:
        row.append(InlineKeyboardButton(texts.BUTTON_NEXT, callback_data=target(page + 1)))
    return row


def topic_list_screen(catalog: Catalog, page: int) -> Screen:
    """A page of the topic list."""
    if not catalog.topics:
        return texts.TOPICS_EMPTY, None
    pages = _pages(len(catalog.topics), TOPICS_PER_PAGE)
    page = min(page, pages - 1)
    start = page * TOPICS_PER_PAGE
    rows = [
        [
            InlineKeyboardButton(
                _label(f"{topic.label} ({len(topic.documents)})"),
                callback_data=callbacks.topic_docs(catalog.generation, n, 0),
            )
        ]
        for n, topic in enumerate(catalog.topics[start : start + TOPICS_PER_PAGE], start=start)
    ]
    if pages > 1:
        rows.append(_nav_row(page, pages, lambda p: callbacks.topic_list(catalog.generation, p)))
    return texts.TOPICS_TITLE, InlineKeyboardMarkup(rows)


def topic_screen(catalog: Catalog, t: int, page: int) -> Screen:
    """A page of the documents of topic ``t``."""
    topic = catalog.topics[t]
    pages = _pages(len(topic.documents), DOCS_PER_PAGE)
    page = min(page, pages - 1)
    start = page * DOCS_PER_PAGE
    rows = [
        [
            InlineKeyboardButton(
                _label(doc.title), callback_data=callbacks.topic_doc(catalog.generation, t, n)
            )
        ]
        for n, doc in enumerate(topic.documents[start : start + DOCS_PER_PAGE], start=start)
    ]
    if pages > 1:
        rows.append(_nav_row(page, pages, lambda p: callbacks.topic_docs(catalog.generation, t, p)))
    back_page = t // TOPICS_PER_PAGE
    rows.append(
        [
            InlineKeyboardButton(
                texts.BUTTON_TOPICS,
                callback_data=callbacks.topic_list(catalog.generation, back_page),
            )
        ]
    )
    text = texts.TOPIC_TITLE.format(label=escape(topic.label), count=len(topic.documents))
    return text, InlineKeyboardMarkup(rows)


def _document_html(context: BotContext, topic: Topic, d: int) -> str:
    details = document_details(context.services.retriever, topic, topic.documents[d])
    info = details.info
    lines = [f"<b>{escape(info.title)}</b>", f"Thema: {escape(details.topic)}"]
    if details.summary:
        lines += ["", escape(_clip(details.summary, 600))]
    if details.headings:
        lines += ["", "<b>Abschnitte</b>"] + [
            f"• {escape(_clip(h, 100))}" for h in details.headings[:15]
        ]
    lines.append("")
    lines.append(f"Stand: {escape(german_date(info.stand))}" if info.stand else "Stand: unbekannt")
    if info.valid_until:
        expired = _expired(info.valid_until)
        marker = " ⚠ abgelaufen – bitte prüfen Sie die aktuellen Angaben" if expired else ""
        lines.append(f"Gültig bis: {escape(german_date(info.valid_until))}{escape(marker)}")
    if details.url:
        lines.append(f"Quelle: {link(details.url, details.url)}")
    lines += ["", "Fragen Sie mich einfach zu diesem Thema."]
    return "\n".join(lines)


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _expired(valid_until: str) -> bool:
    try:
        return date.fromisoformat(valid_until) < date.today()
    except ValueError:
        return False


async def show_topics(update: Update, context: BotContext) -> None:
    """/themen: the first page of the topic list."""
    message = update.effective_message
    if message is None:
        return
    catalog = build_catalog(context.services.index.manifest)
    text, markup = topic_list_screen(catalog, 0)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def open_topic(message: Message, context: BotContext, slug: str) -> bool:
    """Send the document list of the topic ``slug`` (deep links); False if there is none."""
    catalog = build_catalog(context.services.index.manifest)
    for t, topic in enumerate(catalog.topics):
        if topic.slug == slug:
            text, markup = topic_screen(catalog, t, 0)
            await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
            return True
    return False


async def navigate(update: Update, context: BotContext) -> None:
    """A /themen button: show the requested page or document in the same message."""
    query = update.callback_query
    if query is None:
        return
    nav = callbacks.parse_topic_nav(query.data)
    if nav is None:
        await query.answer(texts.STALE_BUTTON)
        return
    catalog = build_catalog(context.services.index.manifest)
    if nav.generation != catalog.generation:
        await query.answer(texts.TOPICS_CHANGED)
        await _show(query, *topic_list_screen(catalog, 0))
        return
    if nav.level == "tl":
        screen = topic_list_screen(catalog, nav.index)
    elif nav.topic >= len(catalog.topics):
        await query.answer(texts.STALE_BUTTON)
        return
    elif nav.level == "td":
        screen = topic_screen(catalog, nav.topic, nav.index)
    else:
        topic = catalog.topics[nav.topic]
        if nav.index >= len(topic.documents):
            await query.answer(texts.STALE_BUTTON)
            return
        body = await asyncio.to_thread(_document_html, context, topic, nav.index)
        back = callbacks.topic_docs(catalog.generation, nav.topic, nav.index // DOCS_PER_PAGE)
        screen = (
            body,
            InlineKeyboardMarkup([[InlineKeyboardButton(texts.BUTTON_BACK, callback_data=back)]]),
        )
    await query.answer()
    await _show(query, *screen)


async def _show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await query.edit_message_text(
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
        log.debug("topic screen unchanged")


async def ignore_label(update: Update, context: BotContext) -> None:
    """A label button (page counter): acknowledge without doing anything."""
    if update.callback_query is not None:
        await update.callback_query.answer()
