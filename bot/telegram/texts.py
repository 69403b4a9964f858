"""German texts of the Telegram bot (formal "Sie"), as Telegram HTML where markup is used.

Kept apart from the handlers so that the wording can be reviewed in one place.
"""

from __future__ import annotations

from html import escape

from bot.operator import Operator

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Begrüßung und Beispielfragen"),
    ("hilfe", "Was der Assistent kann und wie Sie fragen"),
    ("themen", "Themen und Dokumente durchblättern"),
    ("foerderung", "Passende Förderprogramme finden"),
    ("fristen", "Gemerkte und kommende Förderfristen"),
    ("neu", "Neues Gespräch beginnen (Verlauf vergessen)"),
    ("termin", "Persönliche Beratung anfragen"),
    ("termine", "Ihre gebuchten Beratungstermine"),
    ("abbrechen", "Laufende Beratungsanfrage abbrechen"),
    ("datenschutz", "Was gespeichert wird und wie Sie es löschen"),
    ("meine_daten", "Anzeigen, was über Sie gespeichert ist"),
    ("daten_loeschen", "Alle Ihre Daten löschen"),
)

EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "Wie hoch ist der Heimat-Scheck?",
    "Wie viel Zeit braucht ein Instagram-Kanal für ein kleines Museum?",
    "Wann kann ich bei der LWL-Kulturstiftung einen Antrag stellen?",
)


def start_text(operator: Operator) -> str:
    """The /start message: what the assistant does, who runs it, what it cannot do."""
    consultation = f" ({escape(operator.consultation)})" if operator.consultation else ""
    runner = (
        f"<b>Betrieben von:</b> {escape(operator.name)}"
        + (f" – Kontakt: {escape(operator.contact)}" if operator.contact else "")
        + "\n\n"
        if operator.name
        else ""
    )
    return (
        "<b>Willkommen beim Digitalteam-Assistenten!</b>\n\n"
        "Ich beantworte Fragen von Museen, Gedenkstätten und Heimatvereinen in Westfalen-Lippe "
        "zu digitaler Vermittlung, Kommunikation und Förderung – auf Grundlage einer geprüften "
        "Wissensbasis, mit Quellen und dem Stand dieser Quellen.\n\n"
        f"{runner}"
        "<b>Was ich nicht kann:</b> Ihren konkreten Fall rechtlich oder förderrechtlich verbindlich "
        "prüfen, Anträge für Sie schreiben oder Fragen außerhalb dieser Themen beantworten. Dafür "
        f"vermittle ich Ihnen gern eine persönliche Beratung{consultation} (/termin).\n\n"
        "Stellen Sie Ihre Frage einfach als Nachricht – oder tippen Sie auf eine der Beispielfragen "
        "unten.\n\n"
        "<i>Datenschutz:</i> Ich speichere Ihre Telegram-ID und die letzten Fragen dieses "
        "Gesprächs, damit Rückfragen funktionieren. Mehr dazu unter /datenschutz."
    )


START_PAYLOAD = "Sie kommen über einen Link zum Thema „{topic}“. Fragen Sie mich gern direkt dazu."

HELP = (
    "<b>So nutzen Sie den Assistenten</b>\n\n"
    "• Schreiben Sie Ihre Frage als normale Nachricht, gern konkret "
    "(„Welche Förderung gibt es für einen Audioguide?“).\n"
    "• Rückfragen zur letzten Antwort verstehe ich („Und bis wann?“).\n"
    "• Jede Antwort nennt ihre Quellen und den Stand der Informationen.\n"
    "• Mit 👍 und 👎 unter einer Antwort helfen Sie uns, besser zu werden.\n\n"
    "<b>Befehle</b>\n"
    "/themen – Themen und Dokumente durchblättern\n"
    "/foerderung – passende Förderprogramme finden\n"
    "/fristen – gemerkte und kommende Förderfristen\n"
    "/neu – neues Gespräch beginnen\n"
    "/termin – persönliche Beratung anfragen\n"
    "/datenschutz – was gespeichert wird\n\n"
    "In Gruppen antworte ich nur, wenn Sie mich erwähnen oder auf meine Nachricht antworten. "
    "Bilder, Sprachnachrichten und Sticker kann ich nicht auswerten."
)


def privacy_text(
    operator: Operator, days: int, case_days: int, gap_days: int = 90, user_days: int = 90
) -> str:
    """The /datenschutz message, naming the operator as the one responsible where configured."""
    responsible = (
        f"<b>Verantwortlich:</b> {escape(operator.name)}"
        + (f" ({escape(operator.contact)})" if operator.contact else "")
        + "\n\n"
        if operator.name
        else ""
    )
    return (
        "<b>Datenschutz</b>\n\n"
        f"{responsible}"
        "<b>Was gespeichert wird:</b>\n"
        "• Ihre Telegram-Nutzer-ID und Chat-ID, damit ich Ihnen antworten kann\n"
        "• die Fragen und Antworten Ihres aktuellen Gesprächs, damit Rückfragen funktionieren\n"
        "• Ihre Bewertungen (👍/👎) mit der Frage und den zitierten Dokumenten\n"
        "• unbeantwortete oder negativ bewertete Fragen ohne Bezug zu Ihrer Person "
        "(Namen, Adressen, Kontakt- und Bankdaten darin werden unkenntlich gemacht), damit die "
        "Redaktion die Wissensbasis ergänzen kann\n"
        "• wenn Sie eine Beratung anfragen: Ihre Angaben dazu und gebuchte Termine; das "
        "Beratungsteam erhält die Anfrage im Telegram-Chat und, falls eingerichtet, per E-Mail\n\n"
        f"<b>Wie lange:</b> Gesprächsverlauf und Bewertungen werden nach {days} Tagen "
        f"automatisch gelöscht, offene Fragen für die Redaktion nach {gap_days} Tagen, Ihre "
        f"Telegram-Kennung {user_days} Tage nach Ihrer letzten Nachricht und abgeschlossene "
        f"Beratungsanfragen nach {case_days} Tagen.\n\n"
        "<b>Löschen:</b> Mit /neu löschen Sie Ihren Gesprächsverlauf sofort. /meine_daten zeigt, "
        "was über Sie gespeichert ist, und /daten_loeschen löscht alle Ihre Daten, auch Ihre "
        "offenen Fragen und die Nachrichten zu Ihren Anfragen im Chat des Beratungsteams. "
        "E-Mails, die das Beratungsteam zu Ihrer Anfrage bereits erhalten hat, lassen sich "
        "nicht zurückholen; dafür wenden Sie sich bitte direkt an das Beratungsteam.\n\n"
        "Nachrichten werden nicht an Dritte weitergegeben; Telegram selbst verarbeitet sie nach "
        "seinen eigenen Bedingungen."
    )


NEW_CONVERSATION = "Neues Gespräch begonnen. Ihr bisheriger Verlauf ist gelöscht."

MEDIA_HINT = (
    "Bilder, Sprachnachrichten, Sticker, Standorte und Dateien kann ich leider nicht auswerten. "
    "Bitte schreiben Sie Ihre Frage als Text – zum Beispiel: „Wie hoch ist der Heimat-Scheck?“"
)

RATE_LIMITED = (
    "Sie haben gerade sehr viele Nachrichten geschickt. Bitte warten Sie etwa {seconds} Sekunden, "
    "dann beantworte ich Ihre nächste Frage gern."
)
RATE_LIMITED_SHORT = "Bitte einen Moment Geduld – zu viele Anfragen in kurzer Zeit."

TRUNCATED = "Ihre Nachricht war sehr lang. Ich habe nur die ersten {chars} Zeichen berücksichtigt."

ERROR = (
    "Entschuldigung, bei der Bearbeitung ist ein Fehler aufgetreten. Bitte versuchen Sie es "
    "gleich noch einmal. Wenn es wieder nicht klappt, fragen Sie mit /termin eine persönliche Beratung an."
)
ERROR_SHORT = "Entschuldigung, das hat nicht geklappt. Bitte versuchen Sie es noch einmal."

STALE_BUTTON_SHORT = "Diese Schaltfläche ist nicht mehr aktuell."
"""A button that no longer applies: consultation, booking and editors' buttons."""
STALE_BUTTON = f"{STALE_BUTTON_SHORT} Bitte stellen Sie Ihre Frage neu."
"""A button under an answer, /start or /themen that no longer applies, or an unknown button."""
TOPICS_CHANGED = "Die Themenliste wurde inzwischen aktualisiert – hier ist die aktuelle Fassung."

FEEDBACK_THANKS_UP = "Danke für Ihre Rückmeldung! 👍"
FEEDBACK_THANKS_DOWN = "Danke für Ihre Rückmeldung."
FEEDBACK_SORRY = (
    "Schade, dass die Antwort nicht geholfen hat. Ihre Rückmeldung geht an die Redaktion, "
    "damit wir die Wissensbasis verbessern.\n\n"
    "Möchten Sie Ihre Frage mit einer Beraterin oder einem Berater besprechen?"
)

BUTTON_UP = "👍"
BUTTON_DOWN = "👎"
BUTTON_CONSULT = "Beratung anfragen"
BUTTON_BACK = "« Zurück"
BUTTON_TOPICS = "« Alle Themen"
BUTTON_PREV = "‹ Zurück"
BUTTON_NEXT = "Weiter ›"

TOPICS_TITLE = "<b>Themen</b>\nWählen Sie ein Thema, um die Dokumente zu sehen."
TOPICS_EMPTY = "Die Wissensbasis ist noch leer. Bitte versuchen Sie es später noch einmal."
TOPIC_TITLE = "<b>{label}</b>\n{count} Dokumente. Wählen Sie eines aus."

CONSULTATION_PENDING = (
    "<b>Persönliche Beratung</b>\n\n"
    "Die Terminanfrage direkt hier im Chat wird gerade eingerichtet und ist in Kürze verfügbar. "
    "Ihre Fragen an mich können Sie jederzeit weiter stellen."
)

NOT_EDITOR = (
    "Dokumente für die Wissensbasis können nur Mitglieder der Redaktion hinzufügen oder "
    "ändern. Ihre Datei wurde nicht gespeichert. Fragen stellen Sie bitte einfach als Text."
)
EDITORS_ONLY = "Dieser Befehl steht nur der Redaktion zur Verfügung."
