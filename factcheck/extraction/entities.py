"""Entity mentions for linking to reference pages: clean spans, one name per thing, aliases.

Pure: spaCy entities in, ``EntityMention``-ready records out (offsets into the text spaCy saw;
the pipeline maps them to the article). No ORM.

The small English model is a weak guide on this material: it reads Syrian towns as PERSON,
splits "[President Vladimir] Putin" at the bracket, and keeps "the" and "'s" in spans. So:

* spans are trimmed of brackets, newlines, a leading "the" and a possessive;
* organisations with several names (ISIS / ISIL / Daesh / Islamic State) get one canonical name
  and the aliases, from a small hand-kept table;
* a surname alone takes the full name the article uses elsewhere ("Putin" -> "Vladimir Putin");
* labels are checked against a gazetteer of places built from the titles and descriptions of
  the shipped Wikipedia corpus (factcheck/samples/wikipedia/*.jsonl): a "PERSON" that the
  corpus knows as a place becomes GPE.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Span

LINKABLE = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "EVENT", "LAW", "FAC", "WORK_OF_ART"})
CORPUS_DIR = Path(__file__).resolve().parents[1] / "samples" / "wikipedia"

# One canonical name per group; every spelling maps to it. Lower-case keys.
ALIAS_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Islamic State", ("ISIS", "ISIL", "IS", "Daesh", "Da'esh", "Islamic State",
                       "Islamic State of Iraq and the Levant", "Islamic State of Iraq and Syria",
                       "the Islamic State")),
    ("Syrian Arab Army", ("SAA", "Syrian Arab Army", "Syrian Army")),
    ("Free Syrian Army", ("FSA", "Free Syrian Army")),
    ("Syrian Democratic Forces", ("SDF", "Syrian Democratic Forces")),
    ("Al-Qaeda", ("al-Qaeda", "Al-Qaeda", "al Qaeda", "Al Qaeda", "al-Qaida")),
    ("Al-Nusra Front", ("al-Nusra", "Nusra Front", "Jabhat al-Nusra", "al-Nusra Front")),
    ("NATO", ("NATO", "North Atlantic Treaty Organization")),
    ("United Nations", ("UN", "U.N.", "United Nations")),
    ("United Nations Security Council", ("UNSC", "UN Security Council", "Security Council",
                                         "United Nations Security Council")),
    ("United States", ("US", "U.S.", "USA", "U.S.A.", "United States", "America",
                       "United States of America", "Washington")),
    ("United Kingdom", ("UK", "U.K.", "Britain", "Great Britain", "United Kingdom")),
    ("Russia", ("Russia", "Russian Federation", "Moscow", "Kremlin")),
    ("Syria", ("Syria", "Syrian Arab Republic", "Damascus")),
    ("Syrian Arab News Agency", ("SANA", "Syrian Arab News Agency")),
    ("Spetsnaz", ("Spetsnaz",)),
    ("Deir ez-Zor", ("Deir Ez-Zor", "Deir ez-Zor", "Deir Ezzor", "Deir al-Zour", "Deir Ezzor")),
    ("Raqqa", ("Raqqa", "Raqaa", "Rakka", "Al-Raqqah", "Ar-Raqqah")),
    ("Bashar al-Assad", ("Assad", "Bashar al-Assad", "Bashar Assad", "President Assad")),
)  # fmt: skip
# Capitals stand for their governments in news copy, but a reader linking "Damascus" wants
# the city, so those stay themselves unless spelled as the state.
_KEEP_SELF = frozenset({"moscow", "damascus", "washington", "kremlin"})
_ALIASES: dict[str, tuple[str, tuple[str, ...]]] = {
    alias.lower(): (name, names) for name, names in ALIAS_GROUPS for alias in names
}
_PLACE_WORDS = re.compile(
    r"\b(?:city|town|village|capital|country|governorate|province|district|region|republic|"
    r"peninsula|river|sea|island|municipality|neighbourhood|neighborhood)\b",
    re.IGNORECASE,
)
_TITLE_PLACE = re.compile(
    r"^(?:(?:First|Second|Third|Fourth)\s+)?(?:Battle|Siege|Fall|Liberation|Capture)\s+of\s+"
    r"(?:the\s+)?(.+?)(?:\s*\(.*\))?$|^(?:Northern|Southern|Eastern|Western|East|West|North|"
    r"South|Central|Northwestern|Northeastern|Southwestern|Southeastern)?\s*(.+?)\s+"
    r"(?:offensive|campaign|clashes|governorate|Governorate)(?:\s*\(.*\))?$"
)
_DESCRIPTION_PLACE = re.compile(r"\bin ([A-Z][\w'-]+(?: [A-Z][\w'-]+)?) Governorate\b")


@dataclass(frozen=True)
class FoundEntity:
    start: int  # offsets into the text spaCy saw
    end: int
    label: str
    name: str
    aliases: tuple[str, ...]


_TEXT_PLACE = re.compile(
    r"\b(?:city|town|village|cities|towns|villages|countryside|outskirts) of "
    r"((?:al-|ar-|as-|ad-|el-)?[A-Z][\w'’-]+(?: (?:al-|ez-)?[A-Z][\w'’-]+)?)"
    r"|\b([A-Z][\w'’-]+(?:[ -][A-Z][\w'’-]+)?) Governorate\b"
    r"|\b(?:in|near|around) ([A-Z][a-z][\w'’-]+), (?:Syria|Iraq|Turkey|Lebanon)\b"
)
_YEARS = re.compile(
    r"^(?:\d{4}(?:[–-]\d{4})?\s+)?(?:(?:Northern|Southern|Eastern|Western|East|"
    r"West|North|South|Central)\s+)?",
    re.IGNORECASE,
)


def _add_place(places: set[str], name: str) -> None:
    name = _YEARS.sub("", name.strip())
    name = re.sub(r"\s+(?:Governorate|summer|winter|spring|autumn|plains)$", "", name, flags=re.I)
    if name and len(name.split()) <= 3 and not re.search(r"\d", name):
        places.add(name.lower())


@lru_cache(maxsize=1)
def place_gazetteer() -> frozenset[str]:
    """Lower-case place names known from the shipped Wikipedia corpus.

    From titles ("Battle of Raqqa", "Palmyra offensive"), short descriptions ("City in Aleppo
    Governorate") and running text ("the city of Homs", "Idlib Governorate").
    """
    places: set[str] = set()
    for path in sorted(CORPUS_DIR.glob("*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                title = str(record.get("title", ""))
                description = str(
                    record.get("short_description") or record.get("description") or ""
                )
                if re.match(
                    r"^(?:Capital city|City|Town|Village|Country|Republic|Peninsula|River|Sea)\b",
                    description,
                ):
                    _add_place(places, title)
                m = _TITLE_PLACE.match(title)
                if m:
                    _add_place(places, m.group(1) or m.group(2) or "")
                texts = [
                    description,
                    str(record.get("lead", "")),
                    str(record.get("lead_summary", "")),
                ]
                texts += [str(s.get("text", "")) for s in record.get("sections", [])]
                for text in texts:
                    for m in _TEXT_PLACE.finditer(text):
                        _add_place(places, next(g for g in m.groups() if g))
    # Words that slip through the patterns but are not places.
    return frozenset(p for p in places if len(p) > 2 and p not in _NOT_PLACES)


_NOT_PLACES = frozenset({"the", "military", "rebel", "syrian", "islamic", "government", "the city"})


_TRIM_CHARS = "[](){}\"'“”‘’*_#,.;:!?–—- \n\t"


def clean_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim a mention to its name: no brackets, newlines, leading "the", or possessive."""
    while True:
        before = (start, end)
        # "[President Vladimir] Putin": a bracket edit ends the usable name on its right side.
        inner = text[start:end]
        if "]" in inner and "[" not in inner:
            start = start + inner.index("]") + 1
        if "\n" in text[start:end]:
            part = text[start:end]
            # keep the longest line
            lines = part.split("\n")
            best = max(lines, key=len)
            start = start + part.index(best)
            end = start + len(best)
        while start < end and text[start] in _TRIM_CHARS:
            start += 1
        while end > start and text[end - 1] in _TRIM_CHARS:
            end -= 1
        m = re.match(r"(?i)the\s+", text[start:end])
        if m and end - start > m.end():
            start += m.end()
        m = re.search(r"(?:'s|’s|'|’)$", text[start:end])
        if m and end - start > len(m.group()):
            end -= len(m.group())
        if (start, end) == before:
            break
    return (start, end) if end > start else None


def canonical(name: str) -> tuple[str, tuple[str, ...]]:
    """The canonical name for linking and the other spellings of it."""
    key = name.lower()
    if key not in _ALIASES and key + "." in _ALIASES:
        key += "."  # "U.S" after the sentence's full stop was trimmed
    if key in _ALIASES and key not in _KEEP_SELF:
        canon, names = _ALIASES[key]
        return canon, tuple(n for n in names if n != canon)
    return name, ()


_RESOLUTION = re.compile(r"^(?:UN(?:SC)?\s+)?(?:Security Council\s+)?[Rr]esolution\s+\d+$")


def _relabel(name: str, label: str, sent_text: str) -> str:
    low = name.lower()
    if _RESOLUTION.match(name):
        return "LAW"
    # A person is usually named with two words; a one-word "PERSON" the corpus knows as a
    # place is the place ("Homs", "Sweida").
    if label in ("ORG", "NORP") or (label == "PERSON" and " " not in name):
        if low in place_gazetteer():
            return "GPE"
    if (
        low in _ALIASES
        and label in ("PERSON", "NORP", "GPE", "LOC")
        and _ALIASES[low][0]
        in (
            "Islamic State",
            "Al-Qaeda",
            "NATO",
            "Syrian Arab Army",
            "Free Syrian Army",
            "Syrian Democratic Forces",
            "Al-Nusra Front",
            "Syrian Arab News Agency",
            "Spetsnaz",
        )
    ):
        return "ORG"
    return label


_DEMONYM = re.compile(r"^(?:[A-Z][a-z]+(?:ian|ish|ese|i|an))\s+")
_TITLE_WORDS = re.compile(
    r"^(?:President|Prime Minister|Minister|Gen\.|General|Col\.|Colonel|Admiral|Adm\.|"
    r"Lt\.|Maj\.|Capt\.|Dr\.|Mr\.|Mrs\.|Ms\.|Sen\.|Rep\.|Gov\.)\s+"
)


def _split_list(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """ "Hama, Raqaa" tagged as one entity is two names."""
    pieces = []
    pos = start
    for m in re.finditer(r",\s+", text[start:end]):
        pieces.append((pos, start + m.start()))
        pos = start + m.end()
    pieces.append((pos, end))
    return pieces


def _bracket_name(text: str, ent_start: int, ent_end: int) -> str | None:
    """ "[President Vladimir] Putin": the name with the editor's brackets and title removed."""
    if "]" not in text[ent_start:ent_end]:
        return None
    opening = text.rfind("[", max(0, ent_start - 40), ent_start + 1)
    if opening < 0:
        opening = ent_start
    name = re.sub(r"[\[\]]", "", text[opening:ent_end])
    name = re.sub(r"\s+", " ", name).strip()
    name = _TITLE_WORDS.sub("", name)
    return re.sub(r"(?:'s|’s)$", "", name) or None


def find_entities(ents: Iterable[Span], text: str) -> list[FoundEntity]:
    """Linkable entity mentions of one sentence or segment, cleaned and named.

    ``text`` is the text the entities index into (the segment spaCy saw).
    """
    found: list[FoundEntity] = []
    for ent in ents:
        if ent.label_ not in LINKABLE:
            continue
        full_name = _bracket_name(text, ent.start_char, ent.end_char)
        for piece_start, piece_end in _split_list(text, ent.start_char, ent.end_char):
            span = clean_span(text, piece_start, piece_end)
            if span is None:
                continue
            name = re.sub(r"\s+", " ", text[span[0] : span[1]])
            if len(name) < 2 or not re.search(r"[A-Za-z]", name):
                continue
            label = ent.label_
            # "Russian Spetsnaz": the nationality is description, the unit is the name.
            m = _DEMONYM.match(name)
            if m and name[m.end() :].lower() in _ALIASES:
                name = name[m.end() :]
                span = (span[0] + m.end(), span[1])
            label = _relabel(name, label, text)
            canon, aliases = canonical(full_name or name)
            found.append(FoundEntity(span[0], span[1], label, canon, aliases))
    return _places_in_lists(found, text)


# What may stand between two items of a list of places: "Damascus countryside, Sweida".
_LIST_GAP = re.compile(
    r"\s*(?:countryside|province|governorate|region|area|city|town)?\s*(?:,|and|, and)\s*"
    r"(?:the\s+)?"
)


def _places_in_lists(found: list[FoundEntity], text: str) -> list[FoundEntity]:
    """A "PERSON" listed among places ("Sweida, Daraa, Quneitra, Homs") is a place too."""
    ordered = sorted(found, key=lambda e: e.start)
    changed = True
    while changed:
        changed = False
        for i, e in enumerate(ordered):
            if e.label not in ("PERSON", "ORG", "NORP") or " " in e.name:
                continue
            neighbours = [ordered[j] for j in (i - 1, i + 1) if 0 <= j < len(ordered)]
            for n in neighbours:
                between = text[min(e.end, n.end) : max(e.start, n.start)]
                if n.label in ("GPE", "LOC") and _LIST_GAP.fullmatch(between):
                    ordered[i] = FoundEntity(e.start, e.end, "GPE", e.name, e.aliases)
                    changed = True
                    break
    return ordered


def resolve_surnames(entities: list[FoundEntity]) -> dict[str, str]:
    """Map a surname used alone to the full name the article gives ("Putin" -> "Vladimir Putin").

    Only unambiguous cases: one full name in the article ends with that surname.
    """
    full_names = {e.name for e in entities if e.label == "PERSON" and " " in e.name}
    by_surname: dict[str, set[str]] = {}
    for full in full_names:
        by_surname.setdefault(full.split()[-1], set()).add(full)
    return {s: next(iter(names)) for s, names in by_surname.items() if len(names) == 1}
