"""Screens of the /foerderung flow: German Telegram HTML and inline keyboards, no I/O.

The choices live in the buttons (indexes into the fixed lists below), so a flow started before a
restart still works afterwards and nothing is stored per user.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.funding import Applicant, Entry, Match, Verdict
from bot.funding.deadlines import Due, german_date, next_deadline
from bot.funding.reminders import Remembered
from bot.funding.rules import PLURAL, all_sources, euro
from bot.telegram import callbacks
from bot.telegram.render import escape, link

APPLICANTS: tuple[Applicant, ...] = tuple(Applicant)
PURPOSES: tuple[tuple[str, str], ...] = (
    ("Audio- oder Medienguide", "Audioguide oder Medienguide"),
    ("Website", "Website"),
    ("Inventarisierung und Online-Sammlung", "Inventarisierung und Onlinestellung der Sammlung"),
    ("Ausstellung", "Ausstellung"),
    ("Medienstation", "Medienstation"),
    ("Video oder Erklärfilm", "Erklärvideo"),
    ("Social Media", "Social Media"),
    ("Workshop oder Beteiligung", "Workshops und Beteiligung"),
)
BUDGETS: tuple[tuple[str, int | None], ...] = (
    ("unter 1.000 €", 800),
    ("1.000 bis 2.500 €", 2000),
    ("2.500 bis 10.000 €", 6000),
    ("10.000 bis 50.000 €", 25_000),
    ("50.000 bis 150.000 €", 100_000),
    ("über 150.000 €", 200_000),
    ("weiß ich noch nicht", None),
)
SHOWN = 5
MARK = {
    Verdict.PASST: "✅ passt",
    Verdict.PRUEFEN: "🔎 prüfen",
    Verdict.PASST_NICHT: "❌ passt nicht",
}
ASK_APPLICANT = "<b>Förder-Finder</b>\n\nWer stellt den Antrag?"
ASK_PURPOSE = "<b>Förder-Finder</b> · {applicant}\n\nWofür brauchen Sie die Förderung?"
ASK_BUDGET = (
    "<b>Förder-Finder</b> · {applicant} · {purpose}\n\nWas kostet das Vorhaben ungefähr insgesamt?"
)
NO_PROGRAMMES = "Zurzeit sind keine Förderprogramme mit Programmdaten hinterlegt."
STALE = "Diese Auswahl ist nicht mehr gültig. Bitte starten Sie neu mit /foerderung."
BUTTON_CONSULT = "Beratung anfragen"
BUTTON_REMEMBER = "Frist merken"
REMEMBERED = "Gemerkt: Ich erinnere Sie vier Wochen und eine Woche vor der Frist."
NOT_REMEMBERED = "Diese Frist ist schon gemerkt oder Ihre Liste ist voll (/fristen)."
NO_DATED_DEADLINE = "Für dieses Programm ist keine kommende Frist mit Datum belegt."
FORGOTTEN = "Erinnerung entfernt."
Screen = tuple[str, InlineKeyboardMarkup | None]


def _rows(buttons: list[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def applicant_screen() -> Screen:
    buttons = [
        InlineKeyboardButton(a.value, callback_data=callbacks.funding_step("fo:a", n))
        for n, a in enumerate(APPLICANTS)
    ]
    return ASK_APPLICANT, InlineKeyboardMarkup(_rows(buttons, 2))


def purpose_screen(a: int) -> Screen:
    buttons = [
        InlineKeyboardButton(label, callback_data=callbacks.funding_step("fo:p", a, n))
        for n, (label, _) in enumerate(PURPOSES)
    ]
    text = ASK_PURPOSE.format(applicant=escape(APPLICANTS[a].value))
    return text, InlineKeyboardMarkup(_rows(buttons, 2))


def budget_screen(a: int, p: int) -> Screen:
    buttons = [
        InlineKeyboardButton(label, callback_data=callbacks.funding_step("fo:b", a, p, n))
        for n, (label, _) in enumerate(BUDGETS)
    ]
    text = ASK_BUDGET.format(applicant=escape(APPLICANTS[a].value), purpose=escape(PURPOSES[p][0]))
    return text, InlineKeyboardMarkup(_rows(buttons, 2))


def _block(match: Match) -> str:
    money = match.money
    open_points = [
        r.text for r in match.reasons if r.level in (Verdict.PRUEFEN, Verdict.PASST_NICHT)
    ]
    lines = [
        f"<b>{MARK[match.verdict]}</b> · <b>{escape(match.entry.programme.name)}</b>",
        f"Förderung: {escape(money.text)}",
        f"Eigenanteil: {escape(money.own_text)}",
        f"Frist: {escape(match.deadline.text())}",
    ]
    lines += [f"• {escape(text)}" for text in open_points[:3]]
    return "\n".join(lines)


def results_screen(matches: list[Match], applicant: str, purpose: str, budget: str) -> Screen:
    """Fitting programmes first, one block each, verdict first; the others in one line each."""
    header = f"<b>Förder-Finder</b> · {escape(applicant)} · {escape(purpose)} · {escape(budget)}"
    offered = [m for m in matches if m.verdict is not Verdict.PASST_NICHT][:SHOWN]
    ruled_out = [m for m in matches if m.verdict is Verdict.PASST_NICHT]
    parts = [header]
    parts += [_block(m) for m in offered] or ["Kein Programm passt ohne Weiteres."]
    if ruled_out:
        lines = [
            f"• {escape(m.entry.programme.name)}: "
            + escape(next(r.text for r in m.reasons if r.level == Verdict.PASST_NICHT))
            for m in ruled_out
        ]
        parts.append("<b>Passt nicht</b>\n" + "\n".join(lines))
    parts.append("<i>Angaben ohne Beleg heißen „nicht belegt“. Bitte vor dem Antrag prüfen.</i>")
    buttons = [
        InlineKeyboardButton(
            f"Details: {m.entry.programme.name}"[:60],
            callback_data=callbacks.funding_details(m.entry.programme.id),
        )
        for m in offered
    ]
    rows = _rows(buttons, 1)
    rows.append([InlineKeyboardButton(BUTTON_CONSULT, callback_data=callbacks.consultation())])
    return "\n\n".join(parts), InlineKeyboardMarkup(rows)


def _field(value: Any) -> str:
    return escape(str(value)) if value not in (None, "", []) else "<i>nicht belegt</i>"


def details_screen(entry: Entry, today: date) -> Screen:
    """Every fact of a programme with "nicht belegt" where nobody could confirm it."""
    p = entry.programme
    allowed = (
        ", ".join(PLURAL[a] for a in p.applicants.allowed.value) if p.applicants.allowed else None
    )
    excluded = (
        ", ".join(PLURAL[a] for a in p.applicants.excluded.value) if p.applicants.excluded else None
    )
    via = (
        ", ".join(f"{PLURAL[a]} über {b.value}" for a, b in p.applicants.via.value.items())
        if p.applicants.via
        else None
    )
    amount = p.amount
    money = [
        f"Festbetrag {euro(amount.fixed.value)}" if amount.fixed else "",
        f"ab {euro(amount.min.value)}" if amount.min else "",
        f"bis {euro(amount.max.value)}" if amount.max else "",
    ]
    costs = p.project_costs
    limits = [
        f"mindestens {euro(costs.min.value)}" if costs.min else "",
        f"höchstens {euro(costs.max.value)}" if costs.max else "",
    ]
    deadline = next_deadline(entry, today)
    windows = [
        "laufend"
        if d.laufend
        else f"jährlich {d.yearly[3:]}.{d.yearly[:2]}."
        if d.yearly
        else f"{german_date(d.start) + '–' if d.start else 'bis '}{german_date(d.until)}"
        for d in p.deadlines
    ]
    lines = [
        f"<b>{escape(p.name)}</b>",
        f"Fördergeber: {_field(p.funder.value if p.funder else None)}",
        f"Gebiet: {_field(p.region.value if p.region else None)}",
        f"Antragsberechtigt: {_field(allowed)}",
        f"Nicht antragsberechtigt: {_field(excluded)}",
        f"Über Dritte: {_field(via)}",
        f"Förderung: {_field(', '.join(m for m in money if m))}",
        f"Förderquote: {_field(f'bis {p.max_rate.value} %' if p.max_rate else None)}",
        f"Eigenanteil: {_field(f'mindestens {p.own_share.value} %' if p.own_share else None)}",
        f"Projektkosten: {_field(', '.join(x for x in limits if x))}",
        f"Fristen: {_field(', '.join(windows))} – nächste: {escape(deadline.text())}",
        f"Vorzeitiger Beginn: {_field(p.may_start_early.value if p.may_start_early else None)}",
    ]
    sources = all_sources(entry)
    lines.append("Quellen: " + " · ".join(link(s.url, s.title or s.host) for s in sources[:4]))
    row = [InlineKeyboardButton(BUTTON_CONSULT, callback_data=callbacks.consultation())]
    if deadline.due is not None:
        row.insert(
            0, InlineKeyboardButton(BUTTON_REMEMBER, callback_data=callbacks.funding_remember(p.id))
        )
    return "\n".join(lines), InlineKeyboardMarkup([row])


def reminders_screen(remembered: list[Remembered], coming: list[Due]) -> Screen:
    """/fristen: the user's remembered deadlines (with remove buttons) and the next deadlines."""
    parts = ["<b>Ihre gemerkten Förderfristen</b>"]
    if remembered:
        parts.append(
            "\n".join(
                f"• {german_date(r.deadline)} – {escape(r.programme)}"
                + (f" ({escape(r.label)})" if r.label else "")
                for r in remembered
            )
        )
    else:
        parts.append(
            "Sie haben noch keine Frist gemerkt. Unter /foerderung → Details → „Frist merken“."
        )
    parts.append("<b>Die nächsten Fristen</b>")
    parts.append(
        "\n".join(
            f"• {german_date(d.day)} – {escape(d.programme)}"
            + (f" ({escape(d.label)})" if d.label else "")
            for d in coming
        )
        or "In den nächsten 90 Tagen ist keine Frist belegt."
    )
    buttons = [
        [
            InlineKeyboardButton(
                f"Entfernen: {r.programme} {german_date(r.deadline)}"[:60],
                callback_data=callbacks.funding_forget(r.id),
            )
        ]
        for r in remembered
    ]
    return "\n\n".join(parts), InlineKeyboardMarkup(buttons) if buttons else None


def reminder_text(lead: str, reminder: Remembered) -> str:
    """The reminder message four weeks or one week before a deadline."""
    when = "in vier Wochen" if lead == "4w" else "in einer Woche"
    label = f" ({escape(reminder.label)})" if reminder.label else ""
    return (
        f"⏰ <b>Erinnerung:</b> Die Frist für {escape(reminder.programme)}{label} endet {when}, "
        f"am {german_date(reminder.deadline)}.\nBitte prüfen Sie die aktuellen Bedingungen beim "
        "Fördergeber. Ihre Erinnerungen: /fristen"
    )
