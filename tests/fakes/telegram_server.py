"""A fake Telegram Bot API server (aiohttp) for end-to-end tests of the real PTB Application.

Tests inject updates (messages, commands, button presses, stickers, edits) and read what the bot
sent. Requests that the real Telegram would reject (text over 4,096 characters, invalid HTML,
callback_data outside 1-64 bytes, answering a callback query twice, editing a message without
change) get Telegram's 400 answer and are recorded in ``errors``. Faults can be injected per
method: a 429 with retry_after, or a dropped connection.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from tests.fakes.telegram_limits import (
    MAX_CALLBACK_ANSWER,
    MAX_CAPTION,
    Rejected,
    check_markup,
    check_text,
    utf16_len,
)

T = TypeVar("T")
TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
_JSON_PARAMS = {
    "reply_markup",
    "entities",
    "allowed_updates",
    "commands",
    "reply_parameters",
    "link_preview_options",
    "scope",
    "caption_entities",
}
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}


@dataclass
class Sent:
    """A message the bot sent (its current state) and its history."""

    message_id: int
    chat_id: int
    text: str  # raw text as sent (HTML source when parse_mode is HTML)
    plain: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    seq: int
    at: float
    reply_to: int | None = None
    document: dict[str, Any] | None = None
    edits: list[str] = field(default_factory=list)

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data) of every inline button."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    def button(self, text: str) -> str:
        """callback_data of the button with this text."""
        for label, data in self.buttons():
            if label == text:
                return data
        raise KeyError(f"no button {text!r} in {self.buttons()}")


@dataclass
class Fault:
    kind: str  # "retry_after" or "drop"
    retry_after: int = 1


class FakeTelegram:
    """The fake server; use as ``async with FakeTelegram() as tg``."""

    def __init__(self, token: str = TOKEN, username: str = "DigitalteamTestBot") -> None:
        self.token = token
        self.bot = {
            "id": 7000001,
            "is_bot": True,
            "first_name": "Digitalteam-Assistent",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.errors: list[tuple[str, str]] = []
        self.sent: list[Sent] = []
        self.chat_actions: list[tuple[int, str, int]] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.update_times: dict[int, float] = {}
        self._updates: list[dict[str, Any]] = []
        self._released = False
        self.delivered_up_to = 0
        self.last_update_id = 0
        self._chats: dict[int, dict[str, Any]] = {}
        self._pending_callbacks: set[str] = set()
        self._faults: dict[str, list[Fault]] = {}
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeTelegram:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- injecting updates -------------------------------------------------------------------

    def user(self, user_id: int) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"Nutzer {user_id}",
            "language_code": "de",
        }

    def private_chat(self, user_id: int) -> dict[str, Any]:
        chat = {"id": user_id, "type": "private", "first_name": f"Nutzer {user_id}"}
        self._chats[user_id] = chat
        return chat

    def group_chat(self, chat_id: int, title: str = "Heimatverein") -> dict[str, Any]:
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        self._chats[chat_id] = chat
        return chat

    def message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        chat: dict[str, Any] | None = None,
        reply_to: Sent | None = None,
        extra: dict[str, Any] | None = None,
        edited: bool = False,
    ) -> int:
        """Inject a message from a user; returns the update id."""
        chat = chat or self.private_chat(user_id)
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.user(user_id),
        }
        if text is not None:
            message["text"] = text
            entities = _entities(text)
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = self._as_message(reply_to)
        if edited:
            message["edit_date"] = int(time.time())
        message.update(extra or {})
        return self._push({"edited_message" if edited else "message": message})

    def press(self, user_id: int, sent: Sent, data: str) -> str:
        """Inject a button press on a message the bot sent; returns the callback query id."""
        query_id = f"cq{next(self._ids)}"
        self._pending_callbacks.add(query_id)
        self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.user(user_id),
                    "message": self._as_message(sent),
                    "chat_instance": f"ci{sent.chat_id}",
                    "data": data,
                }
            }
        )
        return query_id

    def push_raw(self, update: dict[str, Any]) -> int:
        return self._push(update)

    def _push(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self.last_update_id = update_id
        self._updates.append({"update_id": update_id, **update})
        self.update_times[update_id] = time.perf_counter()
        self._notify()
        return update_id

    def _as_message(self, sent: Sent) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self._chats[sent.chat_id],
            "from": self.bot,
            "text": sent.plain,
        }
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        return message

    def release_polls(self, released: bool = True) -> None:
        """Answer pending and future long polls at once (a bot is about to stop)."""
        self._released = released
        self._notify()

    # -- faults ------------------------------------------------------------------------------

    def fail_next(self, method: str, kind: str = "retry_after", retry_after: int = 1) -> None:
        """The next call of ``method`` gets a 429 (``retry_after``) or a dropped connection."""
        self._faults.setdefault(method, []).append(Fault(kind, retry_after))

    # -- observing ---------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    async def wait_for(self, predicate: Callable[[], T], within: float = 20.0) -> T:
        """Wait until ``predicate()`` is truthy and return its value."""
        async with self._changed:
            return await asyncio.wait_for(self._changed.wait_for(predicate), within)

    async def wait_messages(self, chat_id: int, count: int, within: float = 20.0) -> list[Sent]:
        """Wait for at least ``count`` messages in the chat and return all of them."""
        await self.wait_for(lambda: len(self.messages(chat_id)) >= count, within)
        return self.messages(chat_id)

    async def wait_callback_answer(self, query_id: str, within: float = 20.0) -> dict[str, Any]:
        return await self.wait_for(lambda: self.callback_answers.get(query_id), within)

    def called(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.requests if name == method]

    def _notify(self) -> None:
        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()

        asyncio.get_running_loop().create_task(notify())

    # -- the Bot API -------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        faults = self._faults.get(method)
        if faults:
            fault = faults.pop(0)
            self.requests.append((f"{method}!{fault.kind}", params))
            if fault.kind == "drop":
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=500)
            return _error(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        self.requests.append((method, params))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found")
        try:
            result = await handler(params)
        except Rejected as exc:
            self.errors.append((method, str(exc)))
            self._notify()
            description = str(exc)
            if not description.startswith("Bad Request"):
                description = f"Bad Request: {description}"
            return _error(400, description)
        self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        for path, data in self.files.values():
            if path == request.match_info["path"]:
                return web.Response(body=data)
        return _error(404, "Not Found")

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return self.bot

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 30.0)
        limit = int(params.get("limit") or 100)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0 and not self._released:
            try:
                await self.wait_for(lambda: bool(self._updates) or self._released, timeout)
            except TimeoutError:
                return []
        batch = self._updates[:limit]
        if batch:
            self.delivered_up_to = max(self.delivered_up_to, batch[-1]["update_id"])
        return batch

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        for command in params.get("commands") or []:
            name, description = command.get("command", ""), command.get("description", "")
            if not (
                1 <= len(name) <= 32 and name == name.lower() and name.replace("_", "").isalnum()
            ):
                raise Rejected("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise Rejected("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = list(params.get("commands") or [])
        return True

    async def _m_getMyCommands(self, params: dict[str, Any]) -> Any:
        return self.commands

    async def _m_deleteMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands = []
        return True

    async def _m_close(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_logOut(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise Rejected("Bad Request: wrong parameter action in request")
        self.chat_actions.append((chat_id, params["action"], next(self._seq)))
        return True

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        plain = check_text(params.get("text"), params.get("parse_mode"))
        check_markup(params.get("reply_markup"))
        reply = params.get("reply_parameters") or {}
        sent = Sent(
            message_id=next(self._ids),
            chat_id=chat_id,
            text=str(params["text"]),
            plain=plain,
            parse_mode=params.get("parse_mode"),
            reply_markup=params.get("reply_markup"),
            seq=next(self._seq),
            at=time.perf_counter(),
            reply_to=reply.get("message_id"),
        )
        self.sent.append(sent)
        return self._as_message(sent)

    async def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        caption = check_text(
            params.get("caption"), params.get("parse_mode"), MAX_CAPTION, required=False
        )
        check_markup(params.get("reply_markup"))
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = params.get(document.removeprefix("attach://"))
        if isinstance(document, tuple):
            name, data = document
            file_id = f"doc{next(self._ids)}"
            self.files[file_id] = (f"documents/{file_id}_{name}", data)
        elif isinstance(document, str) and document in self.files:
            file_id = document
        else:
            raise Rejected("Bad Request: there is no document in the request")
        path, data = self.files[file_id]
        doc = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": path.rsplit("/", 1)[-1],
            "file_size": len(data),
        }
        sent = Sent(
            message_id=next(self._ids),
            chat_id=chat_id,
            text=str(params.get("caption") or ""),
            plain=caption,
            parse_mode=params.get("parse_mode"),
            reply_markup=params.get("reply_markup"),
            seq=next(self._seq),
            at=time.perf_counter(),
            document=doc,
        )
        self.sent.append(sent)
        return {**self._as_message(sent), "document": doc}

    async def _m_getFile(self, params: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            raise Rejected("Bad Request: invalid file_id")
        path, data = self.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(data),
            "file_path": path,
        }

    def add_file(self, name: str, data: bytes) -> str:
        """A file a user could send; returns its file_id (for getFile and the download)."""
        file_id = f"file{next(self._ids)}"
        self.files[file_id] = (f"documents/{file_id}_{name}", data)
        return file_id

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        sent = self._find(params)
        plain = check_text(params.get("text"), params.get("parse_mode"))
        markup = params.get("reply_markup")
        check_markup(markup)
        if params["text"] == sent.text and markup == sent.reply_markup:
            raise Rejected(
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message"
            )
        sent.edits.append(sent.text)
        sent.text, sent.plain, sent.reply_markup = str(params["text"]), plain, markup
        sent.parse_mode = params.get("parse_mode")
        return self._as_message(sent)

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        sent = self._find(params)
        markup = params.get("reply_markup")
        check_markup(markup)
        if markup == sent.reply_markup:
            raise Rejected("Bad Request: message is not modified")
        sent.reply_markup = markup
        return self._as_message(sent)

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._pending_callbacks:
            raise Rejected(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        if utf16_len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
            raise Rejected("Bad Request: MESSAGE_TOO_LONG")
        self._pending_callbacks.discard(query_id)
        self.callback_answers[query_id] = params
        return True

    def _chat_id(self, params: dict[str, Any]) -> int:
        try:
            chat_id = int(params.get("chat_id", ""))
        except ValueError as exc:
            raise Rejected("Bad Request: chat not found") from exc
        if chat_id not in self._chats:
            raise Rejected("Bad Request: chat not found")
        return chat_id

    def _find(self, params: dict[str, Any]) -> Sent:
        chat_id = self._chat_id(params)
        message_id = int(params.get("message_id") or 0)
        for sent in self.sent:
            if sent.chat_id == chat_id and sent.message_id == message_id:
                return sent
        raise Rejected("Bad Request: message to edit not found")


def _entities(text: str) -> list[dict[str, Any]]:
    entities = []
    if text.startswith("/"):
        command = text.split()[0]
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
    for word_start, word in _words(text):
        if word.startswith("@") and len(word) > 1:
            offset = utf16_len(text[:word_start])
            entities.append({"type": "mention", "offset": offset, "length": utf16_len(word)})
    return entities


def _words(text: str) -> list[tuple[int, str]]:
    out, start = [], None
    for i, ch in enumerate(text + " "):
        if ch.isspace() or ch in ",.!?":
            if start is not None:
                out.append((start, text[start:i]))
                start = None
        elif start is None:
            start = i
    return out


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        params.update(body if isinstance(body, dict) else {})
        return params
    if request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if hasattr(value, "file"):
                params[key] = (value.filename, value.file.read())
            else:
                params[key] = value
    for key in _JSON_PARAMS & set(params):
        if isinstance(params[key], str):
            params[key] = json.loads(params[key])
    return params


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
