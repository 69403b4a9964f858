"""E-mail notification of new cases to the advisors (only when DT_SMTP_HOST is set).

Plain smtplib in a worker thread: one message per case to all DT_ADVISOR_EMAILS.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from bot.handoff.cases import CaseView
from bot.settings import Settings

log = logging.getLogger(__name__)


class MailError(Exception):
    """The SMTP server could not be reached or refused the message."""


@dataclass(frozen=True)
class MailConfig:
    """SMTP connection and addresses."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout_s: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> MailConfig | None:
        """None when no SMTP host is configured."""
        if not settings.smtp_host or not settings.smtp_from:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            recipients=tuple(settings.advisor_emails),
            user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
        )


def case_email(config: MailConfig, case: CaseView) -> EmailMessage:
    """The e-mail for a new case: subject with number and institution, the brief as body."""
    message = EmailMessage()
    message["Subject"] = f"Neue Beratungsanfrage #{case.id}: {case.institution} ({case.topic})"
    message["From"] = config.sender
    message["To"] = ", ".join(config.recipients)
    message.set_content(
        f"{case.brief}\n\nÜbernehmen Sie den Fall im Beratungs-Chat in Telegram "
        f"(Schaltfläche „Übernehmen“ oder /faelle).\n"
    )
    return message


def send_case_email(config: MailConfig, case: CaseView) -> None:
    """Send the case e-mail; raises MailError (never logs the password or the brief)."""
    if not config.recipients:
        return
    message = case_email(config, case)
    try:
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout_s) as smtp:
            if config.starttls:
                smtp.starttls()
            if config.user and config.password:
                smtp.login(config.user, config.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"SMTP {config.host}:{config.port}: {type(exc).__name__}") from exc
    log.info("case %s mailed to %d advisor(s)", case.id, len(config.recipients))
