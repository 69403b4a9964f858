"""Where a place lies: Westfalen-Lippe or Rheinland (for the region check of a match).

Geography, not programme data: the Kreise, kreisfreie Städte and landscapes of the two parts of
NRW by name. An unknown name decides nothing (the match then says "bitte prüfen").
"""

from __future__ import annotations

import re
from typing import Literal

Part = Literal["Westfalen-Lippe", "Rheinland"]

WESTFALEN_LIPPE = frozenset(
    [
        "westfalen",
        "westfalen-lippe",
        "münsterland",
        "ostwestfalen-lippe",
        "owl",
        "ostwestfalen",
        "lippe",
        "sauerland",
        "siegerland",
        "südwestfalen",
        "hellweg",
        "wittgenstein",
        "borken",
        "coesfeld",
        "steinfurt",
        "warendorf",
        "gütersloh",
        "herford",
        "höxter",
        "minden-lübbecke",
        "minden",
        "paderborn",
        "ennepe-ruhr-kreis",
        "hochsauerlandkreis",
        "märkischer",
        "olpe",
        "siegen-wittgenstein",
        "siegen",
        "soest",
        "unna",
        "recklinghausen",
        "bielefeld",
        "bochum",
        "bottrop",
        "dortmund",
        "gelsenkirchen",
        "hagen",
        "hamm",
        "herne",
        "münster",
        "arnsberg",
        "detmold",
    ]
)
RHEINLAND = frozenset(
    [
        "rheinland",
        "niederrhein",
        "bergisches",
        "köln",
        "düsseldorf",
        "aachen",
        "bonn",
        "essen",
        "duisburg",
        "oberhausen",
        "mülheim",
        "krefeld",
        "mönchengladbach",
        "wuppertal",
        "solingen",
        "remscheid",
        "leverkusen",
        "kleve",
        "wesel",
        "viersen",
        "neuss",
        "heinsberg",
        "düren",
        "euskirchen",
        "rhein-sieg-kreis",
        "rhein-erft-kreis",
        "mettmann",
        "oberbergischer",
        "rheinisch-bergischer",
    ]
)


def part_of_nrw(name: str) -> Part | None:
    """The part of NRW a place name belongs to, None when the name is unknown."""
    words = set(re.findall(r"[\wäöüß-]+", name.lower()))
    if words & WESTFALEN_LIPPE:
        return "Westfalen-Lippe"
    if words & RHEINLAND:
        return "Rheinland"
    return None
