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
  article's own voice.

Quotations are handled at paragraph level (``attribute_segment``): sentences inside a quote
take the attribution of the sentence that names the speaker, and a paragraph that is nothing
but a quotation continues the speaker of the paragraph before it (or of a "..., saying:").
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
    kind: str  # "verb" | "according_to" | "noun"


# Any inflection of a cue word, matched on the sentence text before walking its tokens: most
# sentences have none, and walking tokens is the expensive part.
_CUE_PREFILTER = re.compile(
    r"\b(?:sa(?:y|ys|id|ying)|t[eo]l[dl]|announc|report|claim|estimat|explain|warn|accus|add|"
    r"stat|confirm|den(?:y|ied|ies)|not(?:e|ed|es|ing)\b|insist|argu|wr(?:ite|ote|itten)|reveal|"
    r"declar|alleg|assert|maintain|acknowledg|admit|stress|emphasi|urg|testif|predict|tweet|"
    r"suggest|believ|contend|caution|indicat|disclos|quot|cit|recall|mention|call|according|"
    r"made|make|issu|releas|publish|giv|gave)",
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
        elif tok.lemma_.lower() == "call" and tok.tag_.startswith("VB"):
            # "called on Russia to ...", "called for a ceasefire": the particle is part of it.
            parts = [
                c for c in tok.children if c.dep_ in ("prep", "prt") and c.lower_ in ("on", "for")
            ]
            if parts:
                cues.append(_Cue(tok, tok.idx, parts[0].idx + len(parts[0].text), "verb"))
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
    persons = [e for e in ents if e.label_ == "PERSON"]
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
            prev.head.i in range(start, head.i + 1)
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
    """The attribution stated inside one sentence, or None (the article's own voice)."""
    for cue in find_cues(sent):
        head = _subject(cue)
        if head is None or not (sent.start <= head.i < sent.end):
            continue
        if head.lower_ in ("i", "we", "you"):
            continue  # first person inside a quote: the speaker is named elsewhere
        span = claimant_span(head)
        if span is None:
            continue
        chars = _clean_name_span(sent.doc, *span)
        if chars is None:
            continue
        content = _content(sent, cue, span)
        text = doc_text(sent.doc)
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
    return None


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
        speaker = next(
            (own[i] for i in members if own[i] is not None and not _cue_inside(own[i], region)),
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
        if region is None or not _quoted_speech(sents[i - 1], regions):
            continue
        result[i] = replace(
            before,
            content_start=max(region[0], sents[i].start_char),
            content_end=min(region[1], sents[i].end_char),
            inherited=True,
        )
    return result


def _quoted_speech(sent: Span, regions: list[tuple[int, int]]) -> bool:
    """The sentence carries a quotation of more than a scare-quoted word or two."""
    return any(min(b, sent.end_char) - max(a, sent.start_char) > 25 for a, b in regions)


def _first_char(doc: Doc) -> int:
    return len(doc_text(doc)) - len(doc_text(doc).lstrip())


def _cue_inside(attribution: Attribution, region: tuple[int, int]) -> bool:
    return attribution.cue_start is not None and region[0] <= attribution.cue_start < region[1]


def is_pronoun(name: str | None) -> bool:
    return bool(name) and name.strip().lower() in PRONOUNS
