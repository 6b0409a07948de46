"""Small text helpers shared by the corpus search, the ranking and the hints. Pure.

Deliberately simple and regex-based: pages are long and many, and spaCy is reserved for the
article side of the pipeline.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours said says say told according
    per cent percent including other others s t
    """.split()
)

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W_]+(?:[-'’.][^\W_]+)*", re.UNICODE)


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, strip accents and unify dashes and quotes, for matching not display.
    Cached: the same names, titles and headlines are folded for every claim."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("–", "-").replace("—", "-").replace("’", "'").replace("‘", "'")
    return text.casefold()


def stem(token: str) -> str:
    """A light, predictable suffix stripper (Russia's -> russia, troops -> troop,
    Russian -> russia). Good enough for BM25 over news and encyclopedia prose."""
    if token.endswith("'s"):
        token = token[:-2]
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 5 and token.endswith("ians"):
        return token[:-2]
    if len(token) > 4 and token.endswith("ian"):
        return token[:-1]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    """Folded, stemmed content tokens without stopwords. Numbers are kept with their commas
    removed (150,000 -> 150000) so they match across formats."""
    tokens = []
    for raw in _TOKEN_RE.findall(fold(text)):
        raw = raw.strip(".'")
        if not raw:
            continue
        if raw[0].isdigit():
            tokens.append(raw.replace(",", ""))
            continue
        for part in raw.split("-"):
            part = part.strip(".'")
            if part and part not in STOPWORDS and not part.isdigit():
                tokens.append(stem(part))
    return tokens


# --- Numbers --------------------------------------------------------------------------------

_MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "hundred": 100, "dozens": 24, "hundreds": 200, "thousands": 2000,
}  # fmt: skip
_NUMBER_RE = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(%|per ?cent\b))?"
    r"(?:\s+(thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)


_MONTH_NAMES = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_MONTH_AFTER = re.compile(rf"(?:st|nd|rd|th)?\s+{_MONTH_NAMES}\b")
_MONTH_BEFORE = re.compile(rf"\b{_MONTH_NAMES}\s+$")


@dataclass(frozen=True)
class NumberMention:
    value: float
    text: str
    start: int
    end: int
    unit: str  # the next content word, stemmed ("troop", "marine", "personnel"), or ""
    is_year: bool
    following: tuple[str, ...] = ()  # the next few content words, stemmed
    is_day: bool = False  # the day of a date ("30 September", "January 15")

    @property
    def is_quantity(self) -> bool:
        """A count or measure, not part of a date."""
        return not (self.is_year or self.is_day)


def find_numbers(text: str) -> list[NumberMention]:
    """Numbers written with digits, with the word that follows as a rough unit. Four-digit
    numbers between 1900 and 2100 without a thousands separator count as years."""
    return list(_numbers_in(text))


@functools.lru_cache(maxsize=16384)
def _numbers_in(text: str) -> tuple[NumberMention, ...]:
    # Cached: the hints read the same top evidence sentences for claim after claim.
    mentions = []
    for match in _NUMBER_RE.finditer(text):
        digits, percent, multiplier = match.group(1), match.group(2), match.group(3)
        try:
            value = float(digits.replace(",", ""))
        except ValueError:
            continue
        if multiplier:
            value *= _MULTIPLIERS[multiplier.lower()]
        is_year = (
            not percent
            and not multiplier
            and "," not in digits
            and "." not in digits
            and len(digits) == 4
            and 1900 <= value <= 2100
        )
        is_day = (
            not percent
            and not multiplier
            and digits.isdigit()
            and 1 <= value <= 31
            and bool(
                _MONTH_AFTER.match(text, match.end())
                or _MONTH_BEFORE.search(text, 0, match.start())
            )
        )
        following = _words_after(text, match.end())
        unit = "%" if percent else (following[0] if following else "")
        mentions.append(
            NumberMention(
                value, match.group(0), match.start(), match.end(), unit, is_year, following, is_day
            )
        )
    return tuple(mentions)


def _words_after(text: str, position: int) -> tuple[str, ...]:
    """Up to four content words after a number, stemmed: the unit is usually among them
    ('200 Marines', '48,000 Russian armed forces members'). Stops at a sentence end."""
    window = re.split(r"[.;:!?]\s", text[position : position + 60], maxsplit=1)[0]
    words = []
    for word in re.findall(r"[A-Za-z][\w-]*", window)[:6]:
        token = fold(word)
        if token in STOPWORDS or token in _MULTIPLIERS:
            continue
        words.append(stem(token))
    return tuple(words[:4])


# --- Capitalised phrases (a fallback for entity names) --------------------------------------

_CAP_WORD = r"(?:[A-Z][\w'’.-]*|al-[A-Z][\w-]*)"
_CONNECTOR = r"(?:of|the|de|al|bin|for|on)"
_CAP_PHRASE_RE = re.compile(rf"{_CAP_WORD}(?:\s+(?:{_CONNECTOR}\s+)?{_CAP_WORD})*", re.UNICODE)
_NOT_NAMES = frozenset(
    """
    A An The This That These Those It Its He She They We I You But And Or So If In On At For
    From By With As After Before When While Since Today Yesterday Tomorrow Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December Mr Mrs Ms Dr Gen Col President General Admiral
    Minister Prime Lt Sgt There Here Our Their His Her What Why How Who Which Where However
    Moreover Meanwhile Also According Despite Although Even Such More Most Many Some All
    """.split()
)
_TITLES = re.compile(
    r"^(?:(?:President|Gen|General|Col|Colonel|Admiral|Adm|Minister|Prime Minister|Foreign "
    r"Minister|Defence Minister|Defense Minister|Mr|Mrs|Ms|Dr|Lt|Sgt|Commander|Chief|Deputy|"
    r"Spokesman|Spokeswoman|Secretary|Sen|Senator|Ambassador)\.?\s+)+"
)


_ROLE_WORDS = frozenset(
    """
    Secretary-General Secretary Deputy Foreign Defence Defense Minister President
    Spokesman Spokeswoman Ambassador Chief Commander Envoy Representative Admiral Gen Col
    """.split()
)
_AFFIX = re.compile(r"-(?:led|backed|based|affiliated|linked|allied|controlled|held)$", re.I)


def capitalised_phrases(text: str) -> list[str]:
    """Runs of capitalised words ("Vladimir Putin", "Free Syrian Army", "Islamic State"),
    with possessives, honorifics, job titles ("NATO Secretary-General Jens Stoltenberg" ->
    "NATO", "Jens Stoltenberg") and "-led"/"-backed" removed. A sentence-initial single word
    counts only if it is capitalised elsewhere too. A crude stand-in for named-entity
    recognition, used when the claim carries no entities."""
    phrases: list[str] = []
    if _is_title_case(text):
        # A headline in Title Case: every word is capitalised, so runs say nothing about
        # names. Keep the capitalised content words one by one, in order.
        for word in re.findall(r"[A-Z][\w'’-]*", text):
            word = re.sub(r"['’]s?$", "", word)
            if word not in _NOT_NAMES and word.lower() not in STOPWORDS and word not in phrases:
                phrases.append(word)
        return phrases
    first_word_start = len(text) - len(text.lstrip(" \"'“‘(["))
    for match in _CAP_PHRASE_RE.finditer(text):
        raw = match.group(0).replace("’", "'")
        raw = re.sub(r"'(?:s|re|ll|ve|d)\b", "", raw)
        for part in _split_roles(raw):
            phrase = _AFFIX.sub("", part.strip(" .'-"))
            phrase = _TITLES.sub("", phrase)
            words = phrase.split()
            while words and (words[0].strip(".") in _NOT_NAMES or words[0].lower() in STOPWORDS):
                words.pop(0)
            while words and words[-1].lower() in {"of", "the", "de", "al", "bin", "for", "on"}:
                words.pop()
            phrase = " ".join(_AFFIX.sub("", w) for w in words).strip(" .")
            if len(phrase) < 2 or phrase in _NOT_NAMES:
                continue
            at_start = match.start() <= first_word_start
            if at_start and " " not in phrase and not _capitalised_elsewhere(text, phrase):
                continue  # "Following a request...", "Coordination is...": not names
            if phrase not in phrases:
                phrases.append(phrase)
    return phrases


def _is_title_case(text: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) > 0.7


def _split_roles(phrase: str) -> list[str]:
    parts, current = [], []
    for word in phrase.split():
        if word.strip(".") in _ROLE_WORDS:
            if current:
                parts.append(" ".join(current))
            current = []
        else:
            current.append(word)
    if current:
        parts.append(" ".join(current))
    return parts


def _capitalised_elsewhere(text: str, word: str) -> bool:
    if word.isupper() and len(word) > 1:
        return True  # acronyms: NATO, ISIS
    rest = text[len(word) + 1 :]
    return bool(re.search(rf"(?<![.!?]\s)\b{re.escape(word)}", rest)) or word.casefold() in {
        "russia", "syria", "moscow", "damascus", "putin", "obama", "assad", "turkey", "iran",
        "iraq", "israel", "nato", "afghanistan", "washington", "russian", "syrian",
    }  # fmt: skip


# --- Units --------------------------------------------------------------------------------

# Stemmed words that count the same kind of thing, so "150,000 troops" can be compared with
# "200 Marines" or "48,000 armed forces members" but not with "6 T-90 tanks".
UNIT_CLASSES: dict[str, str] = {
    **dict.fromkeys(
        "troop soldier servicemen serviceman personnel marine paratrooper fighter militant "
        "men member force commando special contractor mercenary officer instructor advisor "
        "adviser insurgent rebel jihadist recruit reservist".split(),
        "people:armed",
    ),
    **dict.fromkeys(
        "civilian people person refugee child casualty death dead victim".split(),
        "people:civilian",
    ),
    **dict.fromkeys("killed wounded injured".split(), "people:casualties"),
    **dict.fromkeys(
        "aircraft jet warplane plane helicopter bomber fighter-bomber drone".split(), "aircraft"
    ),
    **dict.fromkeys("sortie strike airstrike air-strike raid mission".split(), "strikes"),
    **dict.fromkeys("tank vehicle carrier artillery launcher".split(), "vehicles"),
    **dict.fromkeys("locality village town city settlement".split(), "places"),
    **dict.fromkeys("facility target base camp".split(), "targets"),
    **dict.fromkeys("group faction organisation organization".split(), "groups"),
    **dict.fromkeys("km kilometre kilometer mile".split(), "distance"),
    **dict.fromkeys("day week month year".split(), "time"),
    "%": "percent",
}


# Keyed by stemmed singular and plural, since the stemmer maps "sorties" to "sorty".
UNIT_CLASSES = {
    stem(form): kind for word, kind in UNIT_CLASSES.items() for form in (word, word + "s")
}


def unit_class(number: NumberMention) -> str | None:
    """The kind of thing a number counts, from the words after it; None if unknown."""
    if number.unit == "%":
        return "percent"
    for word in number.following:
        if word in UNIT_CLASSES:
            return UNIT_CLASSES[word]
    return None
