"""How people say all-capitals words: as letters (USSR, ICBM) or as a word (NATO, NASA).

The known lists cover the Cold War and US military vocabulary the bundled series uses; a show
adds or overrides entries in lexicon.toml under [acronyms]. Unknown ones follow the rule people
follow: a short or vowel-less one is spelled, a longer pronounceable one is read as a word.
"""

from __future__ import annotations

import re

LETTERS = {
    "USSR", "US", "USA", "UK", "UN", "EU", "ICBM", "USAF", "FBI", "CIA", "KGB",
    "GRU", "NSA", "DOD", "DoD", "POW", "MIA", "GI", "TV", "DC", "NYC", "LA", "CEO", "PT", "PCS",
    "TDY", "NCO", "NCOIC", "OIC", "SNCO", "SAC", "ACC", "AMC", "AETC", "AFMC", "AFGSC",
    "USSF", "RAF", "ABM", "SLBM", "MIRV", "IRBM", "MRBM", "SDI", "INF", "GDR", "FRG",
    "PRC", "DPRK", "ROK", "DMZ", "HQ", "PA", "AFNS", "DVD", "CD", "FAQ", "ID", "IT", "UFO",
    "IRS", "VA", "EOD", "ROTC", "JROTC", "BX", "PX", "DFAC", "AFSC", "MOS", "ASAP", "SOS",
    "HBO", "NBC", "CBS", "ABC", "CNN", "BBC", "NPR", "PBS", "MP", "UAV", "UAS", "ISR",
    "ATC", "JFK", "LBJ", "FDR", "MAD", "CPSU", "USS", "HMS", "CO", "XO", "ND",
    "SUV", "GPS", "IED", "AI", "PhD", "NAACP", "LGBT", "LGBTQ", "ATM", "PIN", "ANG",
    "AFRC", "PACAF", "USAFE", "ARC", "NORTHCOM", "EUCOM", "CENTCOM", "STRATCOM", "NMCC",
}
WORDS = {
    "NATO": "Nato", "NASA": "Nasa", "NORAD": "Norad", "SEATO": "Seato", "CENTO": "Cento",
    "UNESCO": "Unesco", "UNICEF": "Unicef", "OPEC": "Opec", "AWOL": "a-wall", "RADAR": "radar",
    "LASER": "laser", "SONAR": "sonar", "SCUBA": "scuba", "FEMA": "Fema", "OSHA": "Osha",
    "START": "Start", "COVID": "Covid", "AIDS": "aids", "HUD": "hud", "TRICARE": "Tricare",
    "NAVSTAR": "Navstar", "SALT": "Salt", "MIRV": "Merv", "DARPA": "Darpa", "USO": None, "GEICO": "Geico", "NASCAR": "Nascar",
    "SPAM": "spam", "TASS": "Tass", "SMERSH": "Smersh", "COMECON": "Comecon", "Cominform": None,
    "ANZUS": "Anzus", "SWAT": "swat", "CONUS": "Conus", "OCONUS": "oh-conus", "JAG": "jag",
    "SOFA": "sofa", "MAGA": "Maga", "ASEAN": "Asean", "GULAG": "Gulag", "NORTHCOM": "North-com",
    "EUCOM": "You-com", "CENTCOM": "Cent-com", "STRATCOM": "Strat-com", "PACAF": "Pack-af",
    "USAFE": "U-S-Af-E", "DFAC": "Dee-fack", "ROTC": "Rotsee", "JROTC": "J-Rotsee",
    # the combatant commands, as the services say them
    "INDOPACOM": "Indo-pay-com", "AFRICOM": "Afri-com", "SOUTHCOM": "South-com", "SOCOM": "So-com",
    "TRANSCOM": "Trans-com", "CYBERCOM": "Cyber-com", "SPACECOM": "Space-com", "PACOM": "Pay-com",
    "BUFF": "Buff",  # the B-52's nickname
    "IKE": "Ike",  # Eisenhower, and the carrier named for him
    # said in full in running text, as a narrator reads them
    "SecAF": "Sec-A-F", "SECAF": "Sec-A-F", "SecDef": "Sec-Def", "SECDEF": "Sec-Def",
    "AFB": "Air Force Base", "WWI": "World War One", "WWII": "World War Two", "JBSA": "Joint Base San Antonio",
}
_VOWELS = set("AEIOUY")
# ordinary words written in capitals for emphasis ("NO ONE should ever..."): said as words, never
# spelled; not those that are also common abbreviations (US, IT, ID, PA...)
EMPHASIS = frozenset("""
NO NOT ONE NONE NEVER EVER ALL EVERY ANY ANYONE EVERYONE NOTHING MUST NOW YOU YOUR WE OUR ARE THE
AND OR TO DO DON'T WILL WON'T CAN CAN'T ONLY MORE VERY THIS THAT WHAT WHY HOW NEED IS BE OF FOR
MY ME HE SHE THEY HAS HAVE ALWAYS FIRST LAST STOP NOTE WARNING ATTENTION FREE YES REAL TRULY
""".split())


def spell(word: str) -> str:
    """'USSR' -> 'U-S-S-R' (hyphens make the voice say letter names, not 'uh' for A)."""
    letters = [c for c in word if c.isalpha()]
    return "-".join(c.upper() for c in letters)


def say_acronym(word: str, overrides: dict[str, str] | None = None) -> str:
    """The spoken form of an all-capitals word; a plural is said "-'s" ("ICBMs" -> "I-C-B-M's")."""
    overrides = overrides or {}
    base, plural = word, ""
    if word.endswith("s") and word[:-1].isupper() and len(word) > 2:
        base, plural = word[:-1], "s"
    for key in (word, base):
        if key in overrides:
            how = overrides[key]
            tail = plural if key == base else ""
            if how == "letters":
                return spell(key) + ("'s" if tail else "")
            if how == "word":
                return key.capitalize() + tail
            return how + tail
    if word in WORDS:
        return WORDS[word] or spell(word)
    # "USSTRATCOM" is "U-S Strat-com": the U.S. prefix on a command said as a word
    for key in (word, base):
        if key.startswith("US") and WORDS.get(key[2:]):
            return f"U-S {WORDS[key[2:]]}" + ("'s" if key == base and plural else "")
    if base in WORDS and plural:
        return (WORDS[base] or spell(base)) + plural
    if word in LETTERS:
        return spell(word)
    if base in LETTERS:
        return spell(base) + "'s"
    letters = re.sub(r"[^A-Z]", "", base)
    vowels = sum(c in _VOWELS for c in letters)
    # "pronounceable": long enough, vowels spread through it, no run of 3+ consonants
    pronounceable = (
        len(letters) >= 4
        and vowels >= 2
        and not re.search(r"[^AEIOUY]{3,}", letters)
        and letters[0] + letters[1] not in {"NG", "MB", "DB", "TK", "CB", "GB", "FB", "KB"}
    )
    if pronounceable:
        return letters.capitalize() + plural
    return spell(base) + ("'s" if plural else "")
