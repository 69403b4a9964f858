"""The consultation intake: a small state machine persisted in ``handoff_intakes``.

Steps: institution, type, town, topic, description, way of contact (and number or address),
consent. The draft lives in the database so that a bot restart does not lose it; declining
consent, /abbrechen or expiry deletes it, so without consent nothing is kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.handoff.brief import CONTACT_LABELS, TRIGGER_LABELS, IntakeAnswers, TurnLike
from bot.handoff.cases import CaseService, CaseView
from bot.handoff.errors import StaleAction
from bot.handoff.validation import Checked, check_email, check_free_text, check_phone
from bot.store.database import Database
from bot.store.handoff_models import Intake
from bot.store.models import utcnow

TurnSource = Callable[[str], Sequence[TurnLike]]
DRAFT_TTL = timedelta(days=2)


class Step(StrEnum):
    INSTITUTION = "institution"
    TYPE = "type"
    TOWN = "town"
    TOPIC = "topic"
    DESCRIPTION = "description"
    CONTACT = "contact"
    CONTACT_VALUE = "contact_value"
    CONSENT = "consent"


ORDER = list(Step)
TYPES = {
    "museum": "Museum",
    "gedenkstaette": "Gedenkstätte",
    "heimatverein": "Heimatverein",
    "andere": "andere",
}
TOPICS = {
    "vermittlung": "Vermittlung",
    "kommunikation": "Kommunikation",
    "foerderung": "Förderung",
    "anderes": "anderes",
}
CONTACTS = {"telegram": "Telegram", "telefon": "Telefon", "email": "E-Mail"}
CONSENT = {"ja": "Ja, speichern", "nein": "Nein"}
CHOICES: dict[Step, dict[str, str]] = {
    Step.TYPE: TYPES,
    Step.TOPIC: TOPICS,
    Step.CONTACT: CONTACTS,
    Step.CONSENT: CONSENT,
}
QUESTIONS = {
    Step.INSTITUTION: "Wie heißt Ihre Einrichtung?",
    Step.TYPE: "Um welche Art von Einrichtung handelt es sich?",
    Step.TOWN: "In welchem Ort befindet sich Ihre Einrichtung?",
    Step.TOPIC: "Um welches Thema geht es?",
    Step.DESCRIPTION: "Beschreiben Sie Ihr Anliegen bitte kurz in ein paar Sätzen.",
    Step.CONTACT: "Wie möchten Sie kontaktiert werden?",
}
CANCEL_NOTE = "(Mit /abbrechen können Sie jederzeit aufhören.)"
DONE = (
    "Vielen Dank! Ihre Anfrage #{case_id} ist beim Beratungsteam angekommen. Eine Beraterin oder "
    "ein Berater sieht sie sich an und meldet sich bei Ihnen. Sobald jemand Ihre Anfrage "
    "übernommen hat, sage ich Ihnen hier Bescheid."
)
DECLINED = (
    "Schade, aber natürlich in Ordnung. Ich habe Ihre Angaben nicht gespeichert und den Entwurf "
    "gelöscht. Sie können jederzeit mit /termin neu beginnen oder das Beratungsteam direkt "
    "kontaktieren."
)
CANCELLED = "Die Beratungsanfrage ist abgebrochen; Ihre Angaben wurden gelöscht."
NOTHING_TO_CANCEL = "Es läuft gerade nichts, das ich abbrechen könnte."
STALE_CHOICE = "Diese Auswahl gehört zu einer früheren Frage. Bitte antworten Sie auf die aktuelle."


class Outcome(StrEnum):
    ASK = "ask"
    DONE = "done"
    DECLINED = "declined"


@dataclass(frozen=True)
class IntakeReply:
    """What to tell the user next: a question (with choices), or the end of the intake."""

    outcome: Outcome
    text: str
    step: Step | None = None
    choices: tuple[tuple[str, str], ...] = ()
    hint: str | None = None
    case: CaseView | None = None
    number: int = 0
    total: int = field(default=len(ORDER) - 1)


class IntakeService:
    """Starts, advances, resumes and cancels intakes."""

    def __init__(
        self,
        db: Database,
        cases: CaseService,
        turns_for: TurnSource,
        retention_days: int,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._cases = cases
        self._turns_for = turns_for
        self._retention_days = retention_days
        self._clock = clock

    def start(
        self, user_id: int, chat_id: int, conversation_id: str, trigger: str, wish: str = ""
    ) -> IntakeReply:
        """Begin an intake, or return the current question of one already running."""
        current = self.current(user_id)
        if current is not None:
            return current
        now = self._clock()
        with self._db.session() as session:
            session.add(
                Intake(
                    telegram_user_id=user_id,
                    chat_id=chat_id,
                    conversation_id=conversation_id,
                    step=Step.INSTITUTION.value,
                    answers="{}",
                    trigger=trigger if trigger in TRIGGER_LABELS else "termin",
                    wish=" ".join(wish.split())[:1000],
                    created_at=now,
                    updated_at=now,
                )
            )
        return self._ask(Step.INSTITUTION, {})

    def waits(self, session: Session, user_id: int) -> bool:
        """Whether an unexpired intake waits for this user's next text (read in ``session``)."""
        updated = session.scalars(
            select(Intake.updated_at).where(Intake.telegram_user_id == user_id)
        ).first()
        return updated is not None and not updated < self._clock() - DRAFT_TTL

    def current(self, user_id: int) -> IntakeReply | None:
        """The pending question after a restart; None when no (unexpired) intake runs."""
        with self._db.session() as session:
            row = session.scalars(select(Intake).where(Intake.telegram_user_id == user_id)).first()
            if row is None:
                return None
            if row.updated_at < self._clock() - DRAFT_TTL:
                session.delete(row)
                return None
            return self._ask(Step(row.step), json.loads(row.answers))

    def cancel(self, user_id: int) -> bool:
        """/abbrechen: delete the draft; True if there was one."""
        with self._db.session() as session:
            result = session.execute(delete(Intake).where(Intake.telegram_user_id == user_id))
            return getattr(result, "rowcount", 0) > 0

    def answer(self, user_id: int, text: str, step: str | None = None) -> IntakeReply | None:
        """Take the user's answer (typed text, or a button's value with its step).

        Returns None when no intake runs for this user. Raises StaleAction for a button of an
        earlier step.
        """
        with self._db.session() as session:
            row = session.scalars(
                select(Intake).where(Intake.telegram_user_id == user_id).with_for_update()
            ).first()
            if row is None:
                return None
            current = Step(row.step)
            if step is not None and step != current.value:
                raise StaleAction(STALE_CHOICE)
            answers: dict[str, str] = json.loads(row.answers)
            checked = self._check(current, text, answers)
            if not checked.ok:
                return self._ask(current, answers, hint=checked.hint)
            if current == Step.CONSENT:
                session.delete(row)
                if checked.value != "ja":
                    return IntakeReply(Outcome.DECLINED, DECLINED)
                case = self._cases.create_in(
                    session,
                    user_id=user_id,
                    chat_id=row.chat_id,
                    conversation_id=row.conversation_id,
                    answers=_answers(answers, row.trigger, row.wish),
                    turns=self._turns_for(row.conversation_id),
                )
                return IntakeReply(Outcome.DONE, DONE.format(case_id=case.id), case=case)
            answers[current.value] = checked.value
            following = _next_step(current, answers)
            row.step = following.value
            row.answers = json.dumps(answers, ensure_ascii=False)
            row.updated_at = self._clock()
            return self._ask(following, answers)

    def _check(self, step: Step, text: str, answers: dict[str, str]) -> Checked:
        if step in CHOICES:
            value = _match_choice(CHOICES[step], text)
            if value is None:
                options = ", ".join(CHOICES[step].values())
                return Checked(hint=f"Bitte wählen Sie eine der Möglichkeiten: {options}.")
            return Checked(value=value)
        if step == Step.INSTITUTION:
            return check_free_text(
                text, label="den Namen Ihrer Einrichtung", min_chars=2, max_chars=200
            )
        if step == Step.TOWN:
            return check_free_text(text, label="den Ort", min_chars=2, max_chars=120)
        if step == Step.DESCRIPTION:
            return check_free_text(text, label="Ihr Anliegen", min_chars=10, max_chars=2000)
        if answers.get(Step.CONTACT.value) == "telefon":
            return check_phone(text)
        return check_email(text)

    def _ask(self, step: Step, answers: dict[str, str], hint: str | None = None) -> IntakeReply:
        choices = tuple(CHOICES.get(step, {}).items())
        if step == Step.CONTACT_VALUE:
            question = (
                "Unter welcher Telefonnummer erreichen wir Sie?"
                if answers.get(Step.CONTACT.value) == "telefon"
                else "Unter welcher E-Mail-Adresse erreichen wir Sie?"
            )
        elif step == Step.CONSENT:
            question = self._consent_text(answers)
        else:
            question = QUESTIONS[step]
        number = ORDER.index(step) + 1
        if step == Step.CONSENT and answers.get(Step.CONTACT.value) == "telegram":
            number -= 1
        text = f"{hint}\n\n{question}" if hint else question
        if step == Step.INSTITUTION and not hint:
            text = f"{text}\n{CANCEL_NOTE}"
        return IntakeReply(Outcome.ASK, text, step=step, choices=choices, hint=hint, number=number)

    def _consent_text(self, answers: dict[str, str]) -> str:
        method = answers.get(Step.CONTACT.value, "telegram")
        contact = CONTACT_LABELS.get(method, method)
        if method != "telegram":
            contact += f": {answers.get(Step.CONTACT_VALUE.value, '')}"
        return (
            "Ihre Angaben:\n"
            f"• Einrichtung: {answers.get(Step.INSTITUTION.value, '')} "
            f"({TYPES.get(answers.get(Step.TYPE.value, ''), '')}), {answers.get(Step.TOWN.value, '')}\n"
            f"• Thema: {TOPICS.get(answers.get(Step.TOPIC.value, ''), '')}\n"
            f"• Anliegen: {answers.get(Step.DESCRIPTION.value, '')}\n"
            f"• Kontakt: {contact}\n\n"
            "Dürfen wir diese Angaben und einen Auszug aus unserem bisherigen Gespräch für Ihre "
            "Beratung speichern und an das Beratungsteam weitergeben? "
            f"Nach Abschluss der Beratung werden sie nach {self._retention_days} Tagen gelöscht; "
            "mit /daten_loeschen jederzeit sofort."
        )


def _match_choice(options: dict[str, str], text: str) -> str | None:
    wanted = " ".join(text.split()).casefold().rstrip(".!")
    for value, label in options.items():
        if wanted in {value.casefold(), label.casefold()}:
            return value
    if wanted in {"ja", "j", "yes"} and "ja" in options:
        return "ja"
    if wanted.isdigit() and 1 <= int(wanted) <= len(options):
        return list(options)[int(wanted) - 1]
    return None


def _next_step(step: Step, answers: dict[str, str]) -> Step:
    following = ORDER[ORDER.index(step) + 1]
    if following == Step.CONTACT_VALUE and answers.get(Step.CONTACT.value) == "telegram":
        return Step.CONSENT
    return following


def _answers(answers: dict[str, str], trigger: str, wish: str) -> IntakeAnswers:
    method = answers.get(Step.CONTACT.value, "telegram")
    return IntakeAnswers(
        institution=answers.get(Step.INSTITUTION.value, ""),
        institution_type=TYPES.get(answers.get(Step.TYPE.value, ""), "andere"),
        town=answers.get(Step.TOWN.value, ""),
        topic=TOPICS.get(answers.get(Step.TOPIC.value, ""), "anderes"),
        description=answers.get(Step.DESCRIPTION.value, ""),
        contact_method=method,
        contact_value="" if method == "telegram" else answers.get(Step.CONTACT_VALUE.value, ""),
        trigger=trigger,
        wish=wish,
    )
