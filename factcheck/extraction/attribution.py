"""Attribution: who the article says made a statement, the reporting cue, and what was said.

Pure: takes spaCy Docs/Spans, returns dataclasses with offsets into the text spaCy saw (the
pipeline maps them back to the article). No ORM.

The work is done on the dependency parse, not on surface patterns:

* a *cue* is a reporting verb ("said", "announced", "claiming", "called on"), "according to",
  or a reporting noun made by a light verb ("made an announcement", "issued a statement");
* the *claimant* is the subject of the cue (climbing from "saying"/"claiming" to the verb they
  hang on), or the object of "according to", grown to a clean name: the person named in it
  (with a short title such as "Gen." or "Admiral"), else the organisation, else the noun
  phrase ("a military source", "Media reports");
* a cue counts for the whole sentence only if it sits on the sentence's main line (the root
  or clauses joined to it), so "strikes on what Moscow says are targets" stays in the
  article's own voice;
* a verb that carries a quotation of its own is a cue too when its subject names someone
  ('Trump went after Bush, calling him "a total stiff"', 'Prager continues, "..."'), and so
  is a headline or list colon ('Mayor Ortiz: "..."');
* never a claimant or cue from inside the quoted words, never a bare possessive ("Pence's"),
  a negated cue ("cannot say") or a share of a poll ("37 percent say"); a sentence that
  coordinates two speakers gets none, with a note saying so.

Quotations are handled at paragraph level (``attribute_segment``): sentences inside a quote
take the attribution of the sentence that names the speaker (before, inside or just after
it), and a paragraph that opens with a quotation mark continues the speaker of the paragraph
before it (or of a "..., saying:"). Who a pronoun or a title stands for, and the fullest
name, are settled across the article in ``speakers``.

This module has grown past the house limit of ~400 lines; it still holds one idea (who said
what, inside one paragraph), and the cue helpers it shares with ``attribute_segment`` would
make a split a circular import. Splitting cue finding from quotation handling is the next
step when it grows again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from factcheck.extraction.quotes import mostly_inside
from factcheck.extraction.spans import doc_ents, doc_quotes, doc_text

CUE_LEMMAS = frozenset(
    """say tell announce report claim estimate explain warn accuse add state confirm deny note
    insist argue write reveal declare allege assert maintain acknowledge admit stress emphasize
    emphasise urge testify predict tweet suggest believe contend caution indicate disclose
    quote cite recall mention""".split()
)
# Verbs that report speech only when they carry it ("replied that ...", 'charged: "..."'):
# "the party to respond to the massacre" reports nothing.
CARRYING_CUE_LEMMAS = frozenset(
    """concede charge shout retort reply respond ask conclude pledge promise vow boast joke
    quip complain observe describe recount remark reiterate proclaim lament scoff
    counter muse opine insist assure interject read""".split()
)
# Verbs that put a quoted label on something: 'Carson called the report a "boldfaced lie"'.
LABELLING_LEMMAS = frozenset(
    "call dismiss label brand term deem denounce praise blast slam criticize criticise mock "
    "knock hail".split()
)
# Reporting nouns that need a light verb: "made an announcement", "issued a statement".
CUE_NOUNS = frozenset("announcement statement claim declaration warning estimate".split())
LIGHT_VERBS = frozenset("make issue release publish give".split())
# Dependencies that keep a cue on the sentence's main line.
MAIN_LINE = frozenset({"ROOT", "advcl", "conj", "parataxis", "ccomp", "xcomp", "dep"})
# Short titles kept with a name ("Gen. Valery Gerasimov"); job descriptions are not.
TITLES = frozenset(
    """gen. gen general col. col colonel lt. lt lieutenant maj. maj major adm. adm admiral brig.
    capt. capt captain sgt. sgt sergeant cmdr. commander marshal dr. dr prof. mr. mr mrs. mrs
    ms. ms sen. rep. gov. sheikh""".split()
)
PRONOUNS = frozenset("he she it they him her them".split())
NAME_LABELS = ("PERSON", "ORG", "GPE", "NORP")


@dataclass(frozen=True)
class Attribution:
    """Offsets are into the text spaCy saw (a cleaned segment)."""

    claimant: str | None
    claimant_start: int | None
    claimant_end: int | None
    cue: str | None
    cue_start: int | None = None
    cue_end: int | None = None
    content_start: int | None = None
    content_end: int | None = None
    inherited: bool = False  # taken from a quote's speaker named elsewhere
    # Continued from the paragraph before: claimant/cue offsets are already article offsets.
    from_previous: bool = False
    # The fullest name the article gives the claimant, once resolved (``speakers``).
    claimant_name: str | None = None
    # Why the claimant was left empty although a cue was found ("speaker unclear: ...").
    note: str | None = None


# --- Cues and claimants ----------------------------------------------------------


def _on_main_line(token: Token) -> bool:
    while token.dep_ != "ROOT":
        if token.dep_ not in MAIN_LINE and not _misparsed_fragment(token):
            return False
        token = token.head
    return True


def _misparsed_fragment(token: Token) -> bool:
    """ "NATO the other day called on Russia ...": the small model makes the noun the root and
    hangs the verb on "day" as a clause. The verb is still the sentence's main verb."""
    head = token.head
    if token.dep_ == "acl" and head.dep_ in ("appos", "npadvmod"):
        return head.head.dep_ == "ROOT" and head.head.pos_ in ("PROPN", "NOUN")
    if token.dep_ in ("appos", "npadvmod") and head.dep_ == "ROOT":
        return any(c.dep_ == "acl" and c.pos_ == "VERB" for c in token.children)
    return False


def _depth(token: Token) -> int:
    depth = 0
    while token.dep_ != "ROOT" and depth < 50:
        token = token.head
        depth += 1
    return depth


@dataclass(frozen=True)
class _Cue:
    token: Token  # the reporting verb, "according", or the light verb
    start: int  # character span of the cue words
    end: int
    kind: str  # "verb" | "according_to" | "noun" | "quote_verb" (any verb carrying a quote)


# Any inflection of a cue word, matched on the sentence text before walking its tokens: most
# sentences have none, and walking tokens is the expensive part.
_CUE_PREFILTER = re.compile(
    r"\b(?:sa(?:y|ys|id|ying)|t[eo]l[dl]|announc|report|claim|estimat|explain|warn|accus|add|"
    r"stat|confirm|den(?:y|ied|ies)|not(?:e|ed|es|ing)\b|insist|argu|wr(?:ite|ote|itten)|reveal|"
    r"declar|alleg|assert|maintain|acknowledg|admit|stress|emphasi|urg|testif|predict|tweet|"
    r"suggest|believ|contend|caution|indicat|disclos|quot|cit|recall|mention|call|according|"
    r"made|make|issu|releas|publish|giv|gave|conce|charg|shout|retort|repl|respond|ask|conclu|"
    r"pledg|promis|vow|boast|jok|quip|complain|observ|describ|recount|remark|reiterat|"
    r"proclaim|lament|scoff|counter|mus|opin|assur|interject|read|dismiss|label|brand|term|deem|"
    r"denounc|prais|blast|slam|critici|mock|knock|hail)",
    re.IGNORECASE,
)


def find_cues(sent: Span) -> list[_Cue]:
    """Reporting cues in the sentence, best first (main line, then closest to the root)."""
    cues: list[_Cue] = []
    text = doc_text(sent.doc)[sent.start_char : sent.end_char]
    if not _CUE_PREFILTER.search(text):
        return cues
    for tok in sent:
        low = tok.lower_
        if low == "according" and tok.i + 1 < sent.end and tok.doc[tok.i + 1].lower_ == "to":
            cues.append(_Cue(tok, tok.idx, tok.doc[tok.i + 1].idx + 2, "according_to"))
        elif tok.tag_.startswith("VB") and tok.lemma_.lower() in CUE_LEMMAS:
            cues.append(_Cue(tok, tok.idx, tok.idx + len(tok.text), "verb"))
        elif tok.tag_.startswith("VB") and tok.lemma_.lower() in CARRYING_CUE_LEMMAS:
            # "Asked about X, Earnest responded": the one asked is not the subject found.
            if _carries_speech(tok) and not (tok.lemma_.lower() == "ask" and tok.tag_ == "VBN"):
                cues.append(_Cue(tok, tok.idx, tok.idx + len(tok.text), "verb"))
        elif tok.lemma_.lower() == "call" and tok.tag_.startswith("VB"):
            # "called on Russia to ...", "called for a ceasefire": the particle is part of it.
            parts = [
                c for c in tok.children if c.dep_ in ("prep", "prt") and c.lower_ in ("on", "for")
            ]
            if parts:
                cues.append(_Cue(tok, tok.idx, parts[0].idx + len(parts[0].text), "verb"))
            elif _labels_with_quote(tok):
                cues.append(_Cue(tok, tok.idx, tok.idx + len(tok.text), "verb"))
        elif tok.tag_.startswith("VB") and tok.lemma_.lower() in LABELLING_LEMMAS:
            if _labels_with_quote(tok):
                cues.append(_Cue(tok, tok.idx, tok.idx + len(tok.text), "verb"))
        elif tok.lemma_.lower() in CUE_NOUNS and tok.dep_ == "dobj":
            verb = tok.head
            if verb.lemma_.lower() in LIGHT_VERBS:
                cues.append(_Cue(verb, verb.idx, tok.idx + len(tok.text), "noun"))
        elif (
            low in ("estimates", "says", "reports", "claims", "warns")
            and tok.pos_ in ("NOUN", "PROPN")
            and tok.i > sent.start
            and tok.doc[tok.i - 1].pos_ in ("PROPN", "NOUN", "ADJ")
            and tok.i + 1 < sent.end
            and tok.doc[tok.i + 1].pos_ in ("ADP", "NUM", "DET", "SCONJ", "ADV")
        ):
            # The small model reads "Russian intelligence estimates around 3,500" as a noun
            # compound; a reporting word followed by a number or clause is the verb.
            cues.append(_Cue(tok, tok.idx, tok.idx + len(tok.text), "verb"))
    main = [c for c in cues if c.kind == "according_to" or _on_main_line(c.token)]

    def rank(c: _Cue) -> tuple:
        # A verb cue beats "issued a statement" in "issued a statement, saying:".
        return (c.kind == "noun", _depth(c.token), c.start)

    return sorted(main, key=rank)


def _inverted_subject(verb: Token) -> Token | None:
    """'"...," said David Brock, a confidant who heads ...': the parser sometimes hangs the
    name on a later verb. After a closing quotation, the name right after the cue is the
    speaker."""
    doc = verb.doc
    if verb.i < 2 or not any(doc[j].text in ('"', "”", "''") for j in (verb.i - 1, verb.i - 2)):
        return None
    for ent in doc_ents(doc):
        if ent.label_ in ("PERSON", "ORG") and verb.i < ent.start <= verb.i + 3:
            between = doc[verb.i + 1 : ent.start]
            if all(t.lower_ in TITLES or t.pos_ in ("PROPN", "DET", "ADJ") for t in between):
                return ent.root
    return None


def _labels_with_quote(verb: Token) -> bool:
    """The verb's own words hold a quotation, however short ("a 'boldfaced lie'")."""
    last = list(verb.subtree)[-1]
    hi = last.idx + len(last.text)
    return any(verb.idx < a and b <= hi + 2 and b - a >= 3 for a, b in doc_quotes(verb.doc))


def _carries_speech(verb: Token) -> bool:
    """The verb has a clause or a quotation of its own, or introduces one with a colon."""
    if any(c.dep_ in ("ccomp", "parataxis") for c in verb.children):
        return True
    nxt = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
    if nxt is not None and nxt.text in (":", ",", "“", '"'):
        return True
    sub = list(verb.subtree)
    lo, hi = sub[0].idx, sub[-1].idx + len(sub[-1].text)
    # '"... a bribe?" Trump asked.': the question mark ended the sentence inside the quote.
    return any(a < hi + 3 and b > lo - 3 and b - a > 10 for a, b in doc_quotes(verb.doc))


def _subject(cue: _Cue) -> Token | None:
    if cue.kind == "according_to":
        to = cue.token.doc[cue.token.i + 1]
        objs = [c for c in to.children if c.dep_ == "pobj"]
        if not objs:
            objs = [c for c in cue.token.children if c.dep_ == "pobj"]
        return objs[0] if objs else None
    verb = cue.token
    for _ in range(3):
        subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subj:
            if subj[0].dep_ == "nsubjpass":
                agents = [c for c in verb.children if c.dep_ == "agent"]
                objs = [g for a in agents for g in a.children if g.dep_ == "pobj"]
                return objs[0] if objs else None
            return subj[-1]
        if verb.dep_ in ("advcl", "xcomp", "conj", "acl") and verb.head is not verb:
            head = verb.head
            # "NATO the other day called on ..." parses "called" as a clause on "day".
            if head.pos_ in ("NOUN", "PROPN") and head.dep_ in ("appos", "npadvmod"):
                if head.head.pos_ in ("PROPN", "NOUN") and head.head.i < verb.i:
                    return head.head
            if head.pos_ in ("PROPN",) and head.i < verb.i:
                return head
            verb = head
            continue
        if verb.dep_ == "pcomp" and verb.head.dep_ == "prep" and verb.head.head.pos_ == "VERB":
            verb = verb.head.head  # "Husted continued by saying, ...": the one who continued
            continue
        break
    return None


def _ents_in(tokens: Sequence[Token], doc: Doc) -> list[Span]:
    ids = {t.i for t in tokens}
    return [e for e in doc_ents(doc) if e.label_ in NAME_LABELS and any(t.i in ids for t in e)]


def _name_tokens(head: Token) -> list[Token]:
    """The subject's subtree without relative clauses and trailing clauses."""
    keep: list[Token] = []
    stack = [head]
    while stack:
        tok = stack.pop()
        keep.append(tok)
        for child in tok.children:
            if child.dep_ in _CLAUSES:
                continue
            if child.dep_ == "punct" and child.text not in _NAME_PUNCT:
                continue
            stack.append(child)
    return sorted(keep, key=lambda t: t.i)


_CLAUSES = frozenset({"relcl", "acl", "advcl", "cc"})
_NAME_PUNCT = frozenset({"'s", "’s", "-", "[", "]"})


def _with_title(ent: Span) -> tuple[int, int]:
    """Extend a person's name leftwards over short titles: "Col. Gen. Igor Sergun"."""
    doc = ent.doc
    start = ent.start
    while start > 0:
        prev = doc[start - 1]
        # "Secretary-General Jens Stoltenberg": "General" here is half of a hyphenated post.
        glued = start >= 2 and not doc[start - 2].whitespace_
        if prev.lower_ in TITLES and prev.text[:1].isupper() and not glued:
            start -= 1
        elif (
            prev.text == "."
            and start >= 2
            and not doc[start - 2].whitespace_
            and doc[start - 2].lower_ + "." in TITLES
        ):
            start -= 2  # the tokenizer split "Col." into "Col" and "."
        else:
            break
    return start, ent.end


def claimant_span(head: Token) -> tuple[int, int] | None:
    """Token span [start, end) naming the claimant whose syntactic head is ``head``."""
    doc = head.doc
    tokens = _name_tokens(head)
    ents = _ents_in(tokens, doc)
    # "Pence's spokesman said": Pence owns the speaker, he is not the speaker.
    persons = [e for e in ents if e.label_ == "PERSON" and not _possessor(e)]
    containing = [e for e in ents if e.start <= head.i < e.end]
    appos = [c for c in head.children if c.dep_ == "appos"]
    appos_ents = [e for a in appos for e in ents if e.start <= a.i < e.end]
    if containing and containing[0].label_ == "PERSON":
        return _with_title(containing[0])
    if any(e.label_ == "PERSON" for e in appos_ents):
        return _with_title(next(e for e in appos_ents if e.label_ == "PERSON"))
    # "Chief of Russia's General Staff Gen. Valery Gerasimov": the person, not the post.
    if persons and head.pos_ in ("PROPN", "NOUN") and not containing:
        return _with_title(persons[-1])
    if persons and containing and containing[0].label_ != "PERSON" and head.pos_ == "NOUN":
        return _with_title(persons[-1])
    if containing:
        return containing[0].start, containing[0].end
    # A plain noun phrase: determiner, adjectives and compounds to the left of the head.
    start = head.i
    while start > 0:
        prev = doc[start - 1]
        if (
            # "Pence's spokesman": "Pence" hangs on the head, "'s" on "Pence".
            (prev.i < prev.head.i <= head.i or (prev.dep_ == "case" and prev.head.i == prev.i - 1))
            and prev.dep_
            in ("det", "amod", "compound", "nmod", "poss", "nummod", "case", "quantmod", "punct")
            and not prev.is_space
            and prev.text not in (",", "(", "“", '"')
        ):
            start -= 1
            continue
        break
    end = head.i + 1
    while end < len(doc) and doc[end].dep_ in ("flat", "compound") and doc[end].head == head:
        end += 1
    return start, end


def _possessor(ent: Span) -> bool:
    doc = ent.doc
    if ent.end < len(doc) and (doc[ent.end].tag_ == "POS" or doc[ent.end].lower_ in ("'s", "’s")):
        return True
    return ent.root.dep_ == "poss" or bool(re.search(r"['’]s?$", ent.text))


def _clean_name_span(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Character span of the claimant, trimmed of brackets and stray punctuation."""
    if end <= start:
        return None
    a = doc[start].idx
    b = doc[end - 1].idx + len(doc[end - 1].text)
    text = doc_text(doc)
    while a < b and text[a] in "[](\"'“”‘’ ,-–—":
        a += 1
    while b > a and text[b - 1] in "[](\"'“”‘’ ,-–—":
        b -= 1
    return (a, b) if b > a else None


def attribute_sentence(sent: Span) -> Attribution | None:
    """The attribution stated inside one sentence, or None (the article's own voice).

    Never a claimant or cue from inside quoted words: '"Critics say it is dead," he said'
    is his sentence, not the critics'. Never a bare possessive ("Pence's") as the claimant.
    """
    regions = doc_quotes(sent.doc)
    text = doc_text(sent.doc)
    cues = find_cues(sent)
    found = {k.token.i for k in cues}
    cues += [c for c in _quote_verb_cues(sent, regions) if c.token.i not in found]
    # 'She said that ..., to which O'Malley interjected: "It's just not true."': the verb
    # that opens the quotation speaks it.
    cues.sort(key=lambda c: not (_opens_quote(c, regions) and _own_subject(c.token)))
    for cue in cues:
        if _inside(cue.start, regions) or _negated(cue.token):
            continue  # "Comey cannot say that ...": he did not say it
        head = _subject(cue)
        if head is None and cue.kind == "verb":
            head = _inverted_subject(cue.token)
        if head is None or not (sent.start <= head.i < sent.end):
            continue
        if head.lower_ in ("i", "we", "you", "me", "us"):
            continue  # first person inside a quote: the speaker is named elsewhere
        span = claimant_span(head)
        if span is None:
            continue
        if cue.kind == "quote_verb" and not _names_someone(sent.doc, span, head):
            continue  # 'The film "..." premiered in 1939': a thing, not a speaker
        if cue.kind != "according_to" and span[0] <= cue.token.i < span[1]:
            # A title-cased headline tags "Warren Calls" as one name: the cue is not in it.
            span = (span[0], cue.token.i) if span[0] < cue.token.i else None
            if span is None:
                continue
        chars = _clean_name_span(sent.doc, *span)
        if chars is None or _inside(chars[0], regions):
            continue
        if _possessive(text[chars[0] : chars[1]]) or _not_a_speaker(text[chars[0] : chars[1]]):
            continue
        if _CARRIER.match(text[chars[0] : chars[1]]):
            # "The ad says", "a speech declared": the words are someone's, but whose the
            # sentence does not say, and the carrier is no claimant to check.
            return Attribution(
                claimant=None,
                claimant_start=None,
                claimant_end=None,
                cue=text[cue.start : cue.end],
                cue_start=cue.start,
                cue_end=cue.end,
                note=f"speaker unclear: {text[chars[0] : chars[1]]!r} carries someone's words",
            )
        content = _content(sent, cue, span)
        other = _second_speaker(cue, cues, span, regions)
        if other is not None:
            # 'Cruz accuses Obama of "leading from behind" and Trump says he is "losing"': one
            # claim, two speakers. Either name would be wrong for half of it.
            return Attribution(
                claimant=None,
                claimant_start=None,
                claimant_end=None,
                cue=text[cue.start : cue.end],
                cue_start=cue.start,
                cue_end=cue.end,
                note=f"speaker unclear: two speakers in one sentence ({other})",
            )
        return Attribution(
            claimant=text[chars[0] : chars[1]],
            claimant_start=chars[0],
            claimant_end=chars[1],
            cue=text[cue.start : cue.end],
            cue_start=cue.start,
            cue_end=cue.end,
            content_start=content[0] if content else None,
            content_end=content[1] if content else None,
        )
    return _colon_attribution(sent, regions) or _transcript_attribution(sent)


def _transcript_attribution(sent: Span) -> Attribution | None:
    """A paragraph opening "NAME: words": an interview transcript, the words are NAME's."""
    doc = sent.doc
    text = doc_text(doc)
    if sent.start_char > _first_char(doc):
        return None
    m = _TRANSCRIPT.match(text, sent.start_char)
    if m is None:
        return None
    a, b = m.start("name"), m.end("name")
    name = text[a:b].strip()
    if not name or name.split()[0].lower().strip(".") in _NOT_SPEAKERS:
        return None
    ents = [e for e in doc_ents(doc) if e.start_char < b and e.end_char > a]
    if name.isupper():
        if any(e.label_ in ("GPE", "LOC", "DATE", "TIME", "NORP") for e in ents):
            return None  # "WASHINGTON:", "MONDAY:": a dateline, not a speaker
    elif not any(e.label_ == "PERSON" for e in ents):
        return None
    b = a + len(name)
    return Attribution(
        claimant=name,
        claimant_start=a,
        claimant_end=b,
        cue=":",
        cue_start=m.start("cue"),
        cue_end=m.end("cue"),
        content_start=m.end() if m.end() < sent.end_char else None,
        content_end=sent.end_char if m.end() < sent.end_char else None,
    )


def _names_someone(doc: Doc, span: tuple[int, int], head: Token) -> bool:
    if head.lower_ in ("he", "she", "they") or head.pos_ == "PROPN":
        return True
    return any(
        e.label_ in NAME_LABELS and e.start < span[1] and e.end > span[0] for e in doc_ents(doc)
    )


def _second_speaker(
    cue: _Cue, cues: Sequence[_Cue], span: tuple[int, int], regions: Sequence[tuple[int, int]]
) -> str | None:
    """The name of another speaker whose cue is coordinated with ``cue`` in the sentence."""
    for c in cues:
        if c.token.i == cue.token.i or c.kind == "according_to" or _inside(c.start, regions):
            continue
        linked = (c.token.dep_ == "conj" and c.token.head.i == cue.token.i) or (
            cue.token.dep_ == "conj" and cue.token.head.i == c.token.i
        )
        if not linked or _negated(c.token):
            continue
        subj = [t for t in c.token.children if t.dep_ == "nsubj"]
        if not subj or subj[0].pos_ == "PRON" or span[0] <= subj[0].i < span[1]:
            continue
        other = claimant_span(subj[0])
        if other is not None and (other[1] <= span[0] or other[0] >= span[1]):
            return subj[0].doc[other[0] : other[1]].text
    return None


def _own_subject(verb: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)


def _opens_quote(cue: _Cue, regions: Sequence[tuple[int, int]]) -> bool:
    text = doc_text(cue.token.doc)
    after = text[cue.end : cue.end + 4]
    return re.match(r"^\s*[,:]\s*[“\"]", after) is not None and any(
        a - 4 <= cue.end <= a for a, _ in regions
    )


def _negated(token: Token) -> bool:
    return any(c.dep_ == "neg" for c in token.children)


# A thing that carries someone's words, not the someone: "the ad", "a new spot", "his speech".
_CARRIER = re.compile(
    r"^(?:the|a|an|this|that|his|her|their|its|one)\s+(?:\w+\s+){0,2}?"
    r"(?:ad|ads|advert|advertisement|spot|commercial|speech|chorus|video|clip|footage)$",
    re.I,
)


def _not_a_speaker(name: str) -> bool:
    """ "37 percent say", "Six in 10 Republicans said": a share of a poll, not a person."""
    return bool(
        re.search(r"^\W*(?:\d|percent\b|half\b|most\b|many\b|some\b)|%|\bpercent\b", name, re.I)
    )


def _inside(char: int, regions: Sequence[tuple[int, int]]) -> bool:
    return any(a <= char < b for a, b in regions)


def _possessive(name: str) -> bool:
    """ "Bolton's" or "the senators'": a fragment naming whose words, not who spoke them."""
    return bool(re.search(r"['’]s?$", name.strip()))


def _quote_verb_cues(sent: Span, regions: Sequence[tuple[int, int]]) -> list[_Cue]:
    """Any main-line verb that carries a quotation of its own: 'Trump went after Bush, calling
    him "a total stiff"', 'the protesters chanted "..."'. Only in sentences with quoted speech
    of some length, where the verb's subject stands outside the quotation."""
    quoted = [
        (a, b)
        for a, b in regions
        if min(b, sent.end_char) - max(a, sent.start_char) > 25 and a >= sent.start_char - 1
    ]
    if not quoted:
        return []

    def holds(tok: Token) -> bool:
        sub = list(tok.subtree)
        lo, hi = sub[0].idx, sub[-1].idx + len(sub[-1].text)
        return any(lo <= a <= hi for a, _ in quoted)

    text = doc_text(sent.doc)
    cues = []
    for tok in sent:
        if tok.pos_ != "VERB" or _inside(tok.idx, regions):
            continue
        # 'Prager continues, "In fact ..."': the parser makes the quotation the main clause
        # and the verb that introduces it a side clause of it.
        after = text[tok.idx + len(tok.text) : tok.idx + len(tok.text) + 4]
        introduces = re.match(r"^\s*[,:]\s*[“\"]", after) is not None and any(
            a - 4 <= tok.idx + len(tok.text) <= a for a, _ in quoted
        )
        if introduces:
            cues.append(_Cue(tok, tok.idx, tok.idx + len(tok.text), "quote_verb"))
            continue
        if not _on_main_line(tok) or not holds(tok):
            continue
        # The quotation follows the verb closely ('chanted "..."', 'calling him "..."'), or
        # precedes it ('"...," the protesters chanted'); "hired Bannon of Breitbart, a site
        # that has run headlines such as '...'" is no report of speech.
        end = tok.idx + len(tok.text)
        if not any(-3 <= a - end <= 40 or 0 <= tok.idx - b <= 40 for a, b in quoted):
            continue
        # "went after Bush, calling him '...'": the quotation belongs to "calling"; "prepares
        # for what Gingrich called '...'": to "called", which does not speak for the sentence.
        if any(
            d.pos_ == "VERB" and d.i != tok.i and not _inside(d.idx, regions) and holds(d)
            for d in tok.subtree
        ):
            continue
        cues.append(_Cue(tok, tok.idx, tok.idx + len(tok.text), "quote_verb"))
    return sorted(cues, key=lambda c: (_depth(c.token), c.start))


# "More from Jane Roe: “...”", "Poll shift - John Doe: “...”", "Mayor Ortiz: “...”".
_COLON_FORM = re.compile(
    r"^(?:.{0,120}?\s[-–—]\s+)?(?P<name>[^:\n“”\"]{2,60}?)\s*(?P<cue>:)\s*[“\"]"
)
_NOT_SPEAKERS = frozenset(
    "update note editor's editor’s correction related watch read photo photos source video "
    "transcript q a breaking exclusive more disclosure warning".split()
)
# Interview transcripts: "PENCE: Well, I think ..." or "Jane Ortiz: We will ..." opening a
# paragraph, with or without quotation marks.
_TRANSCRIPT = re.compile(
    r"(?P<name>[A-Z][A-Z.'’ -]{1,40}|[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3})(?P<cue>:)[ \t]+(?=\S)"
)


def _colon_attribution(sent: Span, regions: Sequence[tuple[int, int]]) -> Attribution | None:
    """Headline and list forms: a name, a colon, then the quotation."""
    text = doc_text(sent.doc)
    m = _COLON_FORM.match(text[sent.start_char : sent.end_char])
    if m is None:
        return None
    a, b = sent.start_char + m.start("name"), sent.start_char + m.end("name")
    words = text[a:b].split()
    if not words or len(words) > 7 or words[0].lower().strip(".") in _NOT_SPEAKERS:
        return None
    ents = [
        e
        for e in doc_ents(sent.doc)
        if e.label_ in ("PERSON", "ORG") and a <= e.start_char and e.end_char <= b
    ]
    if ents:
        # "Blumenthal and Cohen": from the first name to the last.
        a, b = ents[0].start_char, ents[-1].end_char
    elif not all(w[:1].isupper() or w in ("and", "of", "&") for w in words):
        return None
    if _possessive(text[a:b]) or _inside(a, regions):
        return None
    quote = next((r for r in regions if r[0] >= sent.start_char + m.end("cue")), None)
    return Attribution(
        claimant=text[a:b],
        claimant_start=a,
        claimant_end=b,
        cue=":",
        cue_start=sent.start_char + m.start("cue"),
        cue_end=sent.start_char + m.end("cue"),
        content_start=max(quote[0], sent.start_char) if quote else None,
        content_end=min(quote[1], sent.end_char) if quote else None,
    )


def _content(sent: Span, cue: _Cue, claimant: tuple[int, int]) -> tuple[int, int] | None:
    """What was said: the quotation, else the clause under the cue, else the rest."""
    text = doc_text(sent.doc)
    for a, b in doc_quotes(sent.doc):
        lo, hi = max(a, sent.start_char), min(b, sent.end_char)
        if hi - lo > 10:
            return lo, hi
    comps = [c for c in cue.token.children if c.dep_ in ("ccomp", "dobj", "xcomp")]
    if cue.kind != "according_to" and comps:
        sub = list(comps[0].subtree)
        return sub[0].idx, sub[-1].idx + len(sub[-1].text)
    if cue.kind == "according_to":
        # "X did Y, according to Z": the content is the side of the sentence without the cue.
        prep_tokens = list(cue.token.subtree)
        left = (sent.start_char, prep_tokens[0].idx)
        right = (prep_tokens[-1].idx + len(prep_tokens[-1].text), sent.end_char)
        best = max((left, right), key=lambda s: s[1] - s[0])
        a, b = best
        while a < b and text[a] in ' ,.;:–—"“':
            a += 1
        while b > a and text[b - 1] in " ,.;:–—":
            b -= 1
        return (a, b) if b > a else None
    return None


# A quotation signed after a dash, as in collections of reader voices or epigraphs:
# '“He represents our greatest shame.” ― Sonya Herridge'. The name closes its line.
_DASH_SIGNATURE = re.compile(
    r"[”\"][ \t\xa0]*[―—–][ \t\xa0]*(?P<name>[A-Z][^\n“”\"―—–:]{1,60}?)[ \t\xa0.]*(?=\n|$)"
)


def _dash_signatures(doc: Doc, regions: Sequence[tuple[int, int]]) -> dict[tuple, Attribution]:
    """Quotations signed '” ― Name' at the end of their line, keyed by their region.

    The name belongs to the quotation before the dash, never to the one on the next line,
    which the parser often opens in the same sentence as the name.
    """
    text = doc_text(doc)
    signed: dict[tuple, Attribution] = {}
    for m in _DASH_SIGNATURE.finditer(text):
        region = next((r for r in regions if r[1] == m.start()), None)
        name = m.group("name").strip()
        words = name.split()
        if region is None or not words or len(words) > 6 or not words[-1][:1].isupper():
            continue
        start = m.start("name")
        signed[region] = Attribution(
            claimant=name,
            claimant_start=start,
            claimant_end=start + len(name),
            cue=text[m.start() + 1 : start].strip(),
            cue_start=m.start() + 1,
            cue_end=start,
        )
    return signed


def attribute_segment(
    sents: Sequence[Span],
    *,
    previous: Attribution | None,
    previous_ended_with_colon: bool,
) -> list[Attribution | None]:
    """Attribution for each sentence of one segment (a paragraph), quotes included.

    ``previous`` is the attribution of the last sentence of the paragraph before, used when
    this paragraph is a quotation that continues it (or follows "..., saying:").
    """
    if not sents:
        return []
    doc = sents[0].doc
    regions = doc_quotes(doc)
    own = [attribute_sentence(s) for s in sents]
    result: list[Attribution | None] = list(own)

    # Quotation spanning several sentences: the speaker named in one of them speaks them all.
    for region in regions:
        members = [
            i for i, s in enumerate(sents) if s.start_char < region[1] and s.end_char > region[0]
        ]
        # '"Is it all a show?" Freddy Ortega said.': the parser ends the sentence at the
        # question mark, so the speaker is in the sentence that opens at the closing mark.
        tagged = [
            i
            for i, s in enumerate(sents)
            if region[1] <= s.start_char <= region[1] + 3 and _speaker_up_front(s, own[i])
        ]
        speaker = next(
            (
                own[i]
                for i in (*members, *tagged)
                if own[i] is not None and own[i].claimant and not _cue_inside(own[i], region)
            ),
            None,
        )
        if speaker is None:
            continue
        for i in members:
            if result[i] is None and mostly_inside(sents[i], region):
                result[i] = replace(
                    speaker,
                    content_start=max(region[0], sents[i].start_char),
                    content_end=min(region[1], sents[i].end_char),
                    inherited=True,
                )

    # A transcript paragraph ("PENCE: Well, ...") is the speaker's to its end.
    first = own[0]
    if first is not None and first.cue == ":" and first.claimant_start == _first_char(doc):
        for i in range(1, len(sents)):
            if result[i] is None:
                result[i] = replace(
                    first,
                    content_start=sents[i].start_char,
                    content_end=sents[i].end_char,
                    inherited=True,
                )

    # A paragraph that is only a quotation, or follows "saying:", continues the last speaker.
    if previous is not None and previous.claimant is not None:
        starts_quoted = bool(regions) and regions[0][0] <= _first_char(doc) + 2
        for i, sent in enumerate(sents):
            if result[i] is not None:
                break
            quoted = any(mostly_inside(sent, r) for r in regions)
            if (quoted and starts_quoted) or (previous_ended_with_colon and i == 0):
                region = next((r for r in regions if mostly_inside(sent, r)), None)
                result[i] = replace(
                    previous,
                    from_previous=True,
                    content_start=max(region[0], sent.start_char) if region else sent.start_char,
                    content_end=min(region[1], sent.end_char) if region else sent.end_char,
                    inherited=True,
                )
            else:
                break

    # A further quotation in the same paragraph, with no speaker of its own, continues the
    # speaker of the quotation before it: '"We will not stop," Shoigu told reporters. "Our
    # pilots have flown 120 missions."'
    for i in range(1, len(sents)):
        before = result[i - 1]
        if result[i] is not None or before is None or before.claimant is None:
            continue
        region = next((r for r in regions if mostly_inside(sents[i], r)), None)
        if region is None:
            continue
        # '"...," X said. "..."' (however short the first quotation), or 'X said in a
        # statement. "..."' (a cue still owed its words).
        announced = own[i - 1] is not None and (
            own[i - 1].content_start is None
            or any(
                min(b, sents[i - 1].end_char) - max(a, sents[i - 1].start_char) > 8
                for a, b in regions
            )
            or doc_text(doc)[sents[i - 1].start_char : sents[i - 1].end_char].rstrip().endswith(":")
        )
        if not (_quoted_speech(sents[i - 1], regions) or announced):
            continue
        result[i] = replace(
            before,
            content_start=max(region[0], sents[i].start_char),
            content_end=min(region[1], sents[i].end_char),
            inherited=True,
        )

    # A signature after the quotation outranks every guess above.
    for region, signature in _dash_signatures(doc, regions).items():
        for i, sent in enumerate(sents):
            if mostly_inside(sent, region):
                result[i] = replace(
                    signature,
                    content_start=max(region[0], sent.start_char),
                    content_end=min(region[1], sent.end_char),
                    inherited=not (sent.start_char <= signature.claimant_start < sent.end_char),
                )
    return result


def _speaker_up_front(sent: Span, found: Attribution | None) -> bool:
    """ "Trump told ..." / "said Trump ...": the sentence opens with its speaker and cue."""
    if found is None or found.claimant_start is None or found.cue_start is None:
        return False
    text = doc_text(sent.doc)
    if re.match(r"^\s*[,:]?\s*[“\"']", text[found.cue_end : found.cue_end + 4]):
        return False  # 'Mr. Zahed said: "..."' opens the next quotation, not the last one
    head = text[sent.start_char : sent.start_char + 4]
    opens = found.claimant_start - sent.start_char <= len(head) - len(head.lstrip()) + 1
    return (
        opens or found.cue_start - sent.start_char <= 8
    ) and found.cue_start - sent.start_char < 60


def _quoted_speech(sent: Span, regions: list[tuple[int, int]]) -> bool:
    """The sentence carries a quotation of more than a scare-quoted word or two."""
    return any(min(b, sent.end_char) - max(a, sent.start_char) > 25 for a, b in regions)


def _first_char(doc: Doc) -> int:
    return len(doc_text(doc)) - len(doc_text(doc).lstrip())


def _cue_inside(attribution: Attribution, region: tuple[int, int]) -> bool:
    return attribution.cue_start is not None and region[0] <= attribution.cue_start < region[1]


def is_pronoun(name: str | None) -> bool:
    return bool(name) and name.strip().lower() in PRONOUNS
