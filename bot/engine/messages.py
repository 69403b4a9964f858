"""Fixed German texts of the engine (formal "Sie")."""

SCOPE = (
    "Ich beantworte Fragen zu digitaler Vermittlung, digitaler Kommunikation und Förderung "
    "für Museen, Gedenkstätten und Heimatvereine in Westfalen-Lippe, dazu Grundlagen zu Recht, "
    "Technik und Organisation digitaler Projekte."
)
GREETING = (
    "Guten Tag! Ich bin der Digitalteam-Assistent. "
    + SCOPE
    + " Stellen Sie mir einfach Ihre Frage."
)
EMPTY = "Bitte schreiben Sie Ihre Frage als Text, zum Beispiel: „Welche Förderung gibt es für einen Audioguide?“"
OUT_OF_SCOPE = "Dazu kann ich Ihnen leider nichts sagen. " + SCOPE
NO_ANSWER = (
    "Dazu habe ich keine verlässliche Information in meiner Wissensbasis, und ich möchte nichts "
    "Falsches sagen. Gern vermittle ich Ihnen eine persönliche Beratung durch das Digitalteam."
)
HANDOFF_OFFER = (
    "Gern vermittle ich Ihnen ein Gespräch mit einer Beraterin oder einem Berater des "
    "Digitalteams. Für Fragen zu Ihrem konkreten Vorhaben ist eine persönliche Beratung der "
    "richtige Weg."
)
HANDOFF_AFTER_ANSWER = (
    "Wenn Sie Ihr konkretes Vorhaben besprechen möchten, vermittle ich Ihnen gern eine "
    "persönliche Beratung."
)
TRUNCATED = "Hinweis: Ihre Nachricht war sehr lang; ich habe nur den Anfang berücksichtigt."
