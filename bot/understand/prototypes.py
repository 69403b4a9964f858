"""Example requests for two intents that word lists miss: wanting a person, and off-topic requests.

A message is compared with these examples by the embedding model (the query vector the search
computed anyway); the closest example's similarity is a feature, and for consultation wishes a
threshold fitted on the tuning part decides. The examples are written for this purpose; they are
not questions of the evaluation set.
"""

from __future__ import annotations

import threading

import numpy as np

from ingest.embeddings import Embedder

CONSULTATION = (
    "Ich möchte gern einen Termin für eine Beratung vereinbaren.",
    "Können Sie mich bitte zurückrufen?",
    "Ich würde das lieber mit einem Menschen besprechen.",
    "Gibt es jemanden, mit dem ich persönlich sprechen kann?",
    "Könnte jemand aus Ihrem Team über unseren Antrag schauen?",
    "Bitte prüfen Sie unser Konzept, bevor wir es einreichen.",
    "Wir hätten gern ein Gespräch zu unserem Projekt, wann passt es Ihnen?",
    "Können wir uns mal per Video oder Telefon austauschen?",
    "Ich brauche Hilfe bei unserem konkreten Förderantrag.",
    "Kann mir jemand sagen, ob unser Vorhaben so förderfähig ist?",
    "Ich hätte gern eine persönliche Einschätzung zu unserem Vertrag.",
    "Melden Sie sich bitte bei mir, meine Nummer haben Sie.",
    "Kommt auch jemand zu uns ins Museum und schaut sich das vor Ort an?",
    "Ich will keinen Chatbot, ich will eine echte Ansprechperson.",
    "Wo kann ich ein Beratungsgespräch buchen?",
    "Wir bräuchten Unterstützung bei der Planung, können Sie uns begleiten?",
    "Lesen Sie bitte unseren Entwurf gegen und sagen Sie uns, was fehlt.",
    "Ich schicke Ihnen unseren Kostenplan, können Sie den anschauen?",
)
OFF_TOPIC = (
    "Wie wird das Wetter am Wochenende?",
    "Wer hat gestern das Fußballspiel gewonnen?",
    "Hast du ein gutes Rezept für Apfelkuchen?",
    "Schreib mir ein Gedicht zum Geburtstag.",
    "Welche Aktie soll ich kaufen?",
    "Wie spät ist es gerade in Tokio?",
    "Empfiehl mir eine Serie für heute Abend.",
    "Wann fährt der nächste Bus zum Bahnhof?",
    "Mein Laptop zu Hause startet nicht mehr, was tun?",
    "Kannst du mir bei meiner Steuererklärung helfen?",
    "Was ist die Hauptstadt von Australien?",
    "Wo kann ich günstig Urlaub in Italien machen?",
    "Wie bekomme ich Rückenschmerzen weg?",
    "Erzähl mir einen Witz.",
    "Übersetze bitte diesen Satz ins Französische.",
    "Welches Handy soll ich mir privat kaufen?",
    "Wer gewinnt die nächste Bundestagswahl?",
    "Wie koche ich Nudeln richtig?",
)


class IntentExamples:
    """Embeds the examples once (lazily) and measures how close a query vector comes to them."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def _matrix(self, name: str, examples: tuple[str, ...]) -> np.ndarray:
        with self._lock:
            if name not in self._vectors:
                self._vectors[name] = np.vstack(
                    [self._embedder.embed_query(text) for text in examples]
                )
            return self._vectors[name]

    def similarity(self, vector: np.ndarray | None) -> tuple[float, float]:
        """Closest consultation example and closest off-topic example (cosine, 0 without vector)."""
        if vector is None:
            return 0.0, 0.0
        query = np.asarray(vector, dtype=np.float32)
        consult = float(np.max(self._matrix("consultation", CONSULTATION) @ query))
        offtopic = float(np.max(self._matrix("offtopic", OFF_TOPIC) @ query))
        return consult, offtopic
