"""Who a claimant is, across the article: pronouns, roles, and the fullest name.

Pure: attributions (article offsets) and the people the article names in, attributions with
``claimant_name`` filled (or the claimant emptied, with a note saying why) out. No spaCy, no ORM.

* "he said", "she added": the last named person who spoke in the last few paragraphs, when no
  other person of a compatible gender has been named since; with no speaker, the one person
  named. Gender is taken only from what the article itself says (Mr./Mrs./Ms., "spokeswoman",
  a "she" already resolved without doubt); unknown gender is compatible with both;
* "it", "they": the last named speaker that is not a person (an organisation, an outlet);
* "the governor", "the Indiana governor", "the spokesman": the person the article introduced
  with that title ("Indiana Gov. Mike Pence", "Brian Fallon, a Clinton spokesman"); a
  qualifier such as "Indiana" must appear in that introduction;
* a name takes the fullest form the article uses ("Putin" -> "Vladimir Putin"), and only when
  one person fits ("Clinton" with both Bill and Hillary named stays "Clinton").

When more than one person fits, or none, the claimant is left empty: a wrong speaker is the
worst thing this tool can print, worse than none.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from factcheck.extraction.attribution import Attribution

WINDOW_PARAGRAPHS = 2  # how many paragraphs back a pronoun may reach
_HONORIFIC = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f"}
_TITLE = re.compile(
    r"^(?:(?:the|former|then-|President|Vice President|Secretary|Senator|Sen\.|Rep\.|"
    r"Representative|Gov\.|Governor|Mayor|Gen\.|General|Dr\.|Mr\.|Mrs\.|Ms\.|Miss|Judge|"
    r"Justice|Speaker|Chairman|Chairwoman|Attorney General|Prime Minister|Minister|Col\.|"
    r"Lt\.|Adm\.|Admiral|Capt\.|Sgt\.|Prof\.|Rev\.)\s+)+",
    re.IGNORECASE,
)
# Role word in a claimant -> how the article introduces a person with that role.
ROLES: dict[str, str] = {
    "governor": r"\bgov(?:ernor)?\b",
    "senator": r"\bsen(?:ator)?\b",
    "congressman": r"\b(?:rep\b|representative|congressman)",
    "congresswoman": r"\b(?:rep\b|representative|congresswoman)",
    "representative": r"\b(?:rep\b|representative|congress(?:wo)?man)",
    "spokesman": r"\bspokes(?:man|person)\b",
    "spokeswoman": r"\bspokes(?:woman|person)\b",
    "spokesperson": r"\bspokes(?:man|woman|person)\b",
    "mayor": r"\bmayor\b",
    "ambassador": r"\bambassador\b",
    "minister": r"\bminister\b",
    # Not "president" or "secretary": in political copy "the president" is often not the
    # last president named (World Bank President Jim Yong Kim, then "the president" Obama).
    "chairman": r"\bchair(?:man)?\b",
    "chairwoman": r"\bchair(?:woman)?\b",
    "judge": r"\bjudge\b",
    "general": r"\b(?:gen\b|general\b)",
    "attorney general": r"\battorney general\b",
}
_ROLE_GENDER = {
    "congressman": "m",
    "congresswoman": "f",
    "spokesman": "m",
    "spokeswoman": "f",
    "chairman": "m",
    "chairwoman": "f",
}
_ROLE_CLAIMANT = re.compile(
    r"^(?:the|a|an)\s+(?:former\s+|then-|new\s+|top\s+|state\s+)?"
    r"(?P<qual>(?:[A-Z][\w.'’-]*\s+){0,3})(?:(?:state|top|chief|senior|lead|campaign)\s+)?"
    r"(?P<role>" + "|".join(sorted(ROLES, key=len, reverse=True)) + r")$",
    re.IGNORECASE,
)
_GENDERED_INTRO = re.compile(
    r"\b(?P<word>Mr|Mrs|Ms|Miss|spokeswoman|spokesman|congresswoman|congressman|chairwoman|"
    r"chairman|businesswoman|businessman)\.?\s+(?:[A-Z][\w.'’-]*\s+){0,2}?(?P<name>[A-Z][\w'’-]+)"
)


@dataclass(frozen=True)
class Person:
    """A mention of a person the article names, in article offsets."""

    start: int
    end: int
    name: str  # cleaned ("Vladimir Putin", "Putin")
    paragraph: int


def resolve_speakers(
    text: str,
    attributions: Sequence[Attribution | None],
    paragraphs: Sequence[int],
    persons: Sequence[Person],
    quotes: Sequence[tuple[int, int]],
    paragraph_starts: Sequence[int] = (),
) -> list[Attribution | None]:
    """Resolve each attribution's claimant to a person (or leave it empty, with a note).

    ``paragraphs[i]`` is the paragraph index of sentence ``i``; ``persons`` are all person
    mentions, ``quotes`` all quotation spans, ``paragraph_starts`` where each paragraph starts,
    in article offsets. Sentences that share a claimant (a quotation over several sentences)
    get the same answer.
    """
    persons = _every_mention(text, persons, paragraph_starts)
    # People named inside quotation marks are talked about, not talking.
    outside = [p for p in persons if not any(a <= p.start < b for a, b in quotes)]
    full_names = _full_names(persons)
    genders = _genders(text, full_names)
    para_of = {}
    for a, p in zip(attributions, paragraphs, strict=True):
        if a is not None and a.claimant_start is not None:
            para_of.setdefault((a.claimant_start, a.claimant_end), p)
    order = sorted(para_of, key=lambda k: k[0])
    # (start, end, name, is_person, paragraph) of every speaker resolved so far, in order.
    spoken: list[_Spoken] = []
    resolved: dict[tuple[int, int], _Answer] = {}
    claimants = {
        (a.claimant_start, a.claimant_end): a.claimant
        for a in attributions
        if a is not None and a.claimant_start is not None
    }
    for key in order:
        claimant = claimants[key] or ""
        paragraph = para_of[key]
        answer = _resolve_one(
            text, key, claimant, paragraph, outside, persons, full_names, genders, spoken
        )
        resolved[key] = answer
        if answer.name is not None:
            is_person = answer.name in full_names or _overlapping(persons, key) is not None
            is_person = is_person or claimant.lower() in ("he", "she")
            is_person = is_person or bool(_ROLE_CLAIMANT.match(claimant))
            if claimant.lower() in ("it", "they", "them"):
                is_person = False
            mention = answer.mention or key
            spoken.append(_Spoken(mention[0], mention[1], answer.name, is_person, paragraph))
    out: list[Attribution | None] = []
    for a in attributions:
        if a is None or a.claimant is None:
            out.append(a)
            continue
        key = (a.claimant_start, a.claimant_end)
        answer = resolved.get(key, _Answer(a.claimant))
        if answer.name is None:
            out.append(
                replace(a, claimant=None, claimant_start=None, claimant_end=None, note=answer.note)
            )
        elif answer.mention is not None:
            # A pronoun says nothing a reader can check: show the name it stands for.
            ms, me = answer.mention
            out.append(
                replace(
                    a,
                    claimant=text[ms:me],
                    claimant_start=ms,
                    claimant_end=me,
                    claimant_name=answer.name,
                    inherited=True,
                    from_previous=True,
                )
            )
        else:
            out.append(replace(a, claimant_name=answer.name))
    return out


@dataclass(frozen=True)
class _Spoken:
    start: int
    end: int
    name: str
    is_person: bool
    paragraph: int


@dataclass(frozen=True)
class _Answer:
    name: str | None  # None: leave the claimant empty
    note: str | None = None
    mention: tuple[int, int] | None = None  # where the person a pronoun stands for is named


def _resolve_one(
    text: str,
    key: tuple[int, int],
    claimant: str,
    paragraph: int,
    outside: Sequence[Person],
    persons: Sequence[Person],
    full_names: dict[str, str],
    genders: dict[str, str],
    spoken: list[_Spoken],
) -> _Answer:
    low = claimant.strip().lower()
    recent = [
        s for s in spoken if s.start < key[0] and s.paragraph >= paragraph - WINDOW_PARAGRAPHS
    ]
    if low in ("he", "she"):
        gender = "m" if low == "he" else "f"
        window = [
            p for p in outside if p.start < key[0] and p.paragraph >= paragraph - WINDOW_PARAGRAPHS
        ]

        def fits(name: str) -> bool:
            return genders.get(name, gender) == gender

        speakers = [s for s in recent if s.is_person and fits(s.name)]
        if speakers:
            last = speakers[-1]
            rivals = {
                _fullest(p.name, full_names)
                for p in window
                if p.start >= last.end and fits(_fullest(p.name, full_names))
            } - {last.name}
            if not rivals:
                return _Answer(last.name, mention=(last.start, last.end))
            return _Answer(None, f"speaker unclear: {low!r} could be {len(rivals) + 1} people")
        named: dict[str, Person] = {}
        for p in window:
            name = _fullest(p.name, full_names)
            if fits(name):
                named[name] = p  # the last mention of each
        if len(named) == 1:
            name, p = next(iter(named.items()))
            genders.setdefault(name, gender)
            return _Answer(name, mention=(p.start, p.end))
        if not named:
            return _Answer(None, f"speaker unclear: {low!r} with no named person before it")
        return _Answer(None, f"speaker unclear: {low!r} could be {len(named)} people")
    if low in ("it", "they", "them"):
        others = [s for s in recent if not s.is_person]
        if others:
            return _Answer(others[-1].name, mention=(others[-1].start, others[-1].end))
        return _Answer(None, f"speaker unclear: {low!r} with no named organisation before it")
    m = _ROLE_CLAIMANT.match(claimant.strip())
    if m and _overlapping(persons, key) is None:
        return _resolve_role(text, key, m, paragraph, outside, full_names, genders, claimant)
    if claimant.isupper() and claimant.title() in {n.split()[-1] for n in full_names}:
        # "PENCE:" in a transcript: the person the article names Mike Pence.
        return _Answer(_fullest(claimant.title(), full_names, genders))
    person = _overlapping(persons, key)
    if person is not None and person.end < key[1] - 1:
        # "Pence's spokesman", "one Trump campaign source": a person named inside a
        # description of someone else.
        return _Answer(claimant)
    if person is not None:
        name = person.name
        if person.start < key[0] or person.end > key[1]:
            # The model's name runs past the claimant ("Warren Calls" in a headline).
            name = _strip_title(re.sub(r"['’]s$", "", claimant.strip()))
        return _Answer(_fullest(_honorific_name(claimant, name), full_names, genders))
    return _Answer(claimant)


def _resolve_role(
    text: str,
    key: tuple[int, int],
    m: re.Match,
    paragraph: int,
    outside: Sequence[Person],
    full_names: dict[str, str],
    genders: dict[str, str],
    claimant: str,
) -> _Answer:
    """ "the Indiana governor" -> the person introduced as "Indiana Gov. ..."; else as written
    (an unresolved role is still a description of the speaker, not a guess)."""
    role = m.group("role").lower()
    qualifiers = m.group("qual").split()
    pattern = re.compile(ROLES[role], re.IGNORECASE)
    gender = _ROLE_GENDER.get(role)
    holders: set[str] = set()  # people introduced with that role before the claimant
    last_paragraph: dict[str, int] = {}
    for p in outside:
        if p.start >= key[0]:
            break
        name = _fullest(p.name, full_names)
        last_paragraph[name] = p.paragraph
        before = text[max(0, p.start - 45) : p.start]
        before = before[before.rfind("\n") + 1 :]
        after = text[p.end : p.end + 90]
        after = re.split(r"[.;\n]\s|\)|—", after, maxsplit=1)[0]
        context = before + " " + after
        if not pattern.search(context) or any(q not in context for q in qualifiers):
            continue
        if gender and genders.get(name, gender) != gender:
            continue
        holders.add(name)
    if not holders:
        return _Answer(claimant)
    near = {n for n in holders if last_paragraph[n] >= paragraph - WINDOW_PARAGRAPHS}
    if len(near) == 1:
        return _Answer(next(iter(near)))
    if not near and len(holders) == 1:
        return _Answer(next(iter(holders)))
    count = len(near) or len(holders)
    return _Answer(None, f"speaker unclear: {claimant!r} could be {count} people")


def _every_mention(
    text: str, persons: Sequence[Person], paragraph_starts: Sequence[int]
) -> list[Person]:
    """The model's person mentions plus every other place a known name is written.

    The small model tags "Trump" as a person in one sentence and as a noun in the next; a
    pronoun resolved against the tagged mentions alone would skip him and land on whoever
    was tagged.
    """
    found = list(persons)
    if paragraph_starts:
        taken = [(p.start, p.end) for p in persons]
        names = {_strip_title(p.name) for p in persons}
        words = {n.split()[-1] for n in names if n.split()} | {n for n in names if " " in n}
        for word in sorted(words, key=len, reverse=True):
            if len(word) < 3 or not word[:1].isupper():
                continue
            for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                taken.append((m.start(), m.end()))
                paragraph = bisect.bisect_right(paragraph_starts, m.start()) - 1
                found.append(Person(m.start(), m.end(), word, max(paragraph, 0)))
    return sorted(found, key=lambda p: p.start)


def _overlapping(persons: Sequence[Person], key: tuple[int, int]) -> Person | None:
    hits = [p for p in persons if p.start < key[1] and p.end > key[0]]
    return max(hits, key=lambda p: p.end - p.start) if hits else None


def _honorific_name(claimant: str, name: str) -> str:
    """Keep "Mrs." on a bare surname: it says which Clinton."""
    m = re.match(r"^(Mr|Mrs|Ms|Miss)\.?\s+", claimant.strip())
    if m and " " not in name:
        return f"{m.group(1)}. {name}"
    return name


def _strip_title(name: str) -> str:
    core = _TITLE.sub("", name.strip())
    return core.strip() or name.strip()


def _full_names(persons: Sequence[Person]) -> dict[str, str]:
    """Cleaned name -> itself, for every person named with two or more words."""
    names = {}
    for p in persons:
        core = _strip_title(p.name)
        if len(core.split()) >= 2:
            names[core] = core
    return names


def _genders(text: str, full_names: dict[str, str]) -> dict[str, str]:
    """Gender the article itself states: "Mrs. Clinton", "spokeswoman Jen Psaki". A surname
    shared by two people of the article gives nothing."""
    by_surname: dict[str, set[str]] = {}
    for full in full_names:
        by_surname.setdefault(full.split()[-1], set()).add(full)
    genders: dict[str, str] = {}
    conflicted: set[str] = set()
    for m in _GENDERED_INTRO.finditer(text):
        word = m.group("word").lower()
        gender = _HONORIFIC.get(word) or ("f" if "woman" in word else "m")
        surname = m.group("name")
        fulls = by_surname.get(surname, set())
        targets = [surname] + (list(fulls) if len(fulls) == 1 else [])
        for t in targets:
            if genders.get(t, gender) != gender:
                conflicted.add(t)
            genders[t] = gender
    for t in conflicted:
        genders.pop(t, None)
    return genders


def _fullest(name: str, full_names: dict[str, str], genders: dict[str, str] | None = None) -> str:
    """The fullest form of a person's name the article uses, when only one person fits.

    "Putin" -> "Vladimir Putin"; "Donald Trump" -> "Donald J. Trump"; "Mrs. Clinton" ->
    "Hillary Clinton" only if she is the one Clinton the article names, or the only one it
    calls a woman.
    """
    honorific = re.match(r"^(Mr|Mrs|Ms|Miss)\.?\s+", name)
    core = _strip_title(name)
    words = core.split()
    if not words:
        return name
    if len(words) >= 2:
        same = [f for f in full_names if f.split()[0] == words[0] and f.split()[-1] == words[-1]]
        return max(same, key=len) if same else core
    fits = [f for f in full_names if f.split()[-1] == words[0]]
    people: dict[str, list[str]] = {}
    for f in fits:
        people.setdefault(f.split()[0], []).append(f)
    if len(people) > 1 and honorific and genders is not None:
        want = _HONORIFIC[honorific.group(1).lower()]
        people = {k: v for k, v in people.items() if any(genders.get(f) == want for f in v)}
    if len(people) == 1:
        return max(next(iter(people.values())), key=len)
    return name.strip() if honorific else core
