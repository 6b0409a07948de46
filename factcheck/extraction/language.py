"""Which language an article is in, so a text spaCy's English model cannot read fails with a
reason instead of becoming Ready with no claims.

Pure: text in, ``LanguageVerdict`` out. py3langid's model is loaded once per process. The text
judged is what extraction would analyse (``cleaning.clean``: site chrome and Markdown residue
out), and a short text is not judged at all: a few words, or a headline full of foreign names,
are too little to refuse an article on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from factcheck.extraction.cleaning import clean

SUPPORTED = ("en",)
MIN_WORDS = 20
# Only a confident guess refuses an article: English with many foreign names may lean towards
# another language a little, never with this certainty.
MIN_CONFIDENCE = 0.75
# Language identification needs a sample, not the whole of a 2 MB text.
SAMPLE_CHARS = 20_000


@dataclass(frozen=True)
class LanguageVerdict:
    language: str | None  # ISO 639-1 code, or None when the text was too short to judge
    confidence: float
    supported: bool

    @property
    def reason(self) -> str:
        """The reason an unsupported article fails with; empty when it is supported."""
        return "" if self.supported else f"language not supported: detected {self.language}"


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def judge_language(text: str, *, supported: tuple[str, ...] = SUPPORTED) -> LanguageVerdict:
    """Detect the language of an article's text (after cleaning). Unsupported only when the
    text has at least MIN_WORDS words and the guess is another language with confidence."""
    sample = " ".join(segment.text for segment in clean(text[: SAMPLE_CHARS * 2]).segments)
    sample = sample[:SAMPLE_CHARS]
    if len(re.findall(r"\w+", sample)) < MIN_WORDS:
        return LanguageVerdict(language=None, confidence=0.0, supported=True)
    language, confidence = _identifier().classify(sample)
    confidence = float(confidence)
    refused = language not in supported and confidence >= MIN_CONFIDENCE
    return LanguageVerdict(language=language, confidence=confidence, supported=not refused)
