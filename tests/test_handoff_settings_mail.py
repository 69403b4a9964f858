"""DT_ADVISOR_IDS parsing, advisors' targets, and the case e-mail through a local aiosmtpd server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from pydantic import ValidationError

from bot.handoff.advisors import Advisors
from bot.handoff.cases import CaseService
from bot.handoff.mail import MailConfig, MailError, send_case_email
from bot.settings import Settings, describe_error
from bot.store.database import Database
from tests.handoff_fixtures import FakeClock, open_case


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("111, 222,333", [111, 222, 333]), ("[111, 222]", [111, 222]), ("", []), ("5,5", [5])],
)
def test_advisor_ids_from_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw: str, expected: list[int]
) -> None:
    monkeypatch.setenv("DT_ADVISOR_IDS", raw)
    assert _settings(tmp_path).advisor_ids == expected


@pytest.mark.parametrize("raw", ["abc", '[1, "x"]', "-5", "[1,", '{"a": 1}'])
def test_bad_advisor_ids_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw: str
) -> None:
    monkeypatch.setenv("DT_ADVISOR_IDS", raw)
    with pytest.raises(ValidationError) as error:
        _settings(tmp_path)
    assert describe_error(error.value).startswith("DT_ADVISOR_IDS:")


def test_smtp_needs_sender_and_recipients(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as error:
        _settings(tmp_path, smtp_host="127.0.0.1")
    assert "DT_SMTP_FROM" in describe_error(error.value)
    with pytest.raises(ValidationError) as bad:
        _settings(tmp_path, advisor_emails="kein-mail")
    assert describe_error(bad.value).startswith("DT_ADVISOR_EMAILS:")


def test_notification_targets() -> None:
    assert Advisors.of([3, 1], chat_id=-100).notification_targets() == [-100]
    assert Advisors.of([3, 1]).notification_targets() == [1, 3]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(
            (
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message_from_bytes(envelope.content, policy=policy.default),
            )  # type: ignore[attr-defined]
        )
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def test_case_email_reaches_local_smtp_server(
    tmp_path: Path, smtp_server: tuple[_Inbox, int], clock: FakeClock, advisors: Advisors
) -> None:
    inbox, port = smtp_server
    settings = _settings(
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="assistent@digitalteam.example",
        advisor_emails="a@digitalteam.example, b@digitalteam.example",
    )
    db = Database(f"sqlite:///{tmp_path / 'mail.sqlite3'}")
    case_id = open_case(db, clock, advisors)
    case = CaseService(db, advisors, clock).get(case_id)
    config = MailConfig.from_settings(settings)
    assert config is not None and case is not None
    await asyncio.to_thread(send_case_email, config, case)
    assert len(inbox.messages) == 1
    sender, recipients, message = inbox.messages[0]
    assert sender == "assistent@digitalteam.example"
    assert recipients == ["a@digitalteam.example", "b@digitalteam.example"]
    assert (
        message["Subject"]
        == f"Neue Beratungsanfrage #{case_id}: Heimatverein Musterdorf e. V. (Förderung)"
    )
    body = message.get_body().get_content()  # type: ignore[attr-defined]
    assert "Telefon: 0251 591-4711" in body
    db.dispose()


def test_unreachable_smtp_raises_mail_error(
    tmp_path: Path, clock: FakeClock, advisors: Advisors
) -> None:
    port = _free_port()
    db = Database(f"sqlite:///{tmp_path / 'mail.sqlite3'}")
    case = CaseService(db, advisors, clock).get(open_case(db, clock, advisors))
    config = MailConfig("127.0.0.1", port, "a@b.de", ("c@d.de",), starttls=False, timeout_s=2)
    with pytest.raises(MailError):
        send_case_email(config, case)  # type: ignore[arg-type]
    assert MailConfig.from_settings(_settings(tmp_path)) is None
    db.dispose()
