"""BERT's uncased WordPiece tokenizer, in plain Python.

Pure: no Django, no network, no compiled tokenizer package. The check-worthiness encoder
(model/checkworthiness.onnx) was fine-tuned from all-MiniLM-L6-v2, which reads BERT's
uncased WordPiece ids; this module turns a sentence into those ids so serving needs
onnxruntime and numpy only. It follows Hugging Face's ``BertTokenizer`` (clean the text, pad
CJK characters, lower-case, strip accents, split on punctuation, then greedy longest-match
WordPiece). ``tests/test_wordpiece.py`` pins the ids of known sentences and checks the cached,
table-driven splitting against the rules written out character by character.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

UNK, CLS, SEP, PAD = "[UNK]", "[CLS]", "[SEP]", "[PAD]"
MAX_CHARS_PER_WORD = 100
# Words kept per cache. A worker lives for days and names and figures never stop coming, so
# the caches are bounded: 100,000 words measured 20-26 MB a cache, 20,000 hold the bench
# set's 11,300 distinct words in about 5.
WORD_CACHE_SIZE = 20_000


def _is_punctuation(char: str) -> bool:
    cp = ord(char)
    # BERT treats every non-alphanumeric ASCII character as punctuation ("$", "^", "`").
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


class _CleanTable(dict):
    """``str.translate`` table for BERT's text cleaning, filled one character at a time.

    Each character is classified once per process, then translated in C: NUL and U+FFFD and
    other control or format characters go, whitespace becomes a space, CJK characters get
    spaces around them.
    """

    def __missing__(self, cp: int) -> str:
        char = chr(cp)
        if cp == 0 or cp == 0xFFFD:
            out = ""
        elif char in "\t\n\r" or unicodedata.category(char) == "Zs":
            out = " "
        elif unicodedata.category(char) in ("Cc", "Cf"):
            out = ""
        elif _is_cjk(cp):
            out = f" {char} "
        else:
            out = char
        self[cp] = out
        return out


_CLEAN_TABLE = _CleanTable()


def _clean(text: str) -> str:
    return text.translate(_CLEAN_TABLE)


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _word_tokens(word: str) -> tuple[str, ...]:
    """One whitespace-separated word: lower-cased, accents stripped, split at punctuation."""
    word = unicodedata.normalize("NFD", word.lower())
    word = "".join(c for c in word if unicodedata.category(c) != "Mn")
    tokens: list[str] = []
    current: list[str] = []
    for char in word:
        if _is_punctuation(char):
            if current:
                tokens.append("".join(current))
                current = []
            tokens.append(char)
        else:
            current.append(char)
    if current:
        tokens.append("".join(current))
    return tuple(tokens)


def basic_tokens(text: str) -> list[str]:
    """Lower-cased, accent-stripped words and single punctuation marks."""
    # News repeats its words, so each distinct word is split once (cached).
    return [token for word in _clean(text).split() for token in _word_tokens(word)]


class WordPiece:
    """Sentence -> token ids for a BERT uncased vocabulary (one token per line in vocab.txt)."""

    def __init__(self, vocab: list[str]):
        self.index = {token: i for i, token in enumerate(vocab)}
        self.unk = self.index[UNK]
        self.cls = self.index[CLS]
        self.sep = self.index[SEP]
        self.pad = self.index[PAD]
        # News repeats its words; caching per word makes tokenising a small cost.
        self.word_ids = lru_cache(maxsize=WORD_CACHE_SIZE)(self._word_ids)

    @classmethod
    def from_file(cls, path: Path | str) -> WordPiece:
        with open(path, encoding="utf-8") as f:
            return cls([line.rstrip("\n") for line in f])

    def _word_ids(self, word: str) -> tuple[int, ...]:
        if len(word) > MAX_CHARS_PER_WORD:
            return (self.unk,)
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self.index.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return (self.unk,)  # BERT gives up on the whole word, not just the rest
            ids.append(found)
            start = end
        return tuple(ids)

    def encode(self, text: str, max_length: int) -> list[int]:
        """[CLS] ids... [SEP], cut so the whole fits in ``max_length``."""
        ids: list[int] = []
        for word in basic_tokens(text):
            ids.extend(self.word_ids(word))
            if len(ids) >= max_length - 2:
                break
        return [self.cls, *ids[: max_length - 2], self.sep]
