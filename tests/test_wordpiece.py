"""The check-worthiness encoder's tokenizer: BERT's uncased WordPiece, as the model was trained."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.extraction.checkworthiness import MODEL_PATH
from factcheck.extraction.wordpiece import WordPiece, basic_tokens

VOCAB = MODEL_PATH.parent / "vocab.txt"
# BERT's "Chinese character" blocks (Hugging Face's _is_chinese_char).
CJK_BLOCKS = [
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F),
]  # fmt: skip


def bert_basic_tokens(text: str) -> list[str]:
    """BERT's BasicTokenizer, character by character, as Hugging Face writes it: the plain
    statement of the rules that the cached, table-driven ``basic_tokens`` must match."""
    cleaned = []
    for char in text:
        cp = ord(char)
        if cp == 0 or cp == 0xFFFD:
            continue
        if char in "\t\n\r" or unicodedata.category(char) == "Zs":
            cleaned.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf"):
            continue
        elif any(low <= cp <= high for low, high in CJK_BLOCKS):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    tokens = []
    for word in "".join(cleaned).split():
        word = unicodedata.normalize("NFD", word.lower())
        current = ""
        for char in word:
            if unicodedata.category(char) == "Mn":
                continue
            cp = ord(char)
            ascii_punctuation = (
                33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126
            )
            if ascii_punctuation or unicodedata.category(char).startswith("P"):
                if current:
                    tokens.append(current)
                    current = ""
                tokens.append(char)
            else:
                current += char
        if current:
            tokens.append(current)
    return tokens


def test_the_worked_example_gets_the_ids_the_encoder_was_trained_on():
    tokenizer = WordPiece.from_file(VOCAB)
    sentence = "Putin announced plans to send 150,000 troops to Syria."

    assert basic_tokens(sentence) == [
        "putin", "announced", "plans", "to", "send", "150", ",", "000", "troops", "to",
        "syria", ".",
    ]  # fmt: skip
    assert tokenizer.encode(sentence, 64) == [
        101, 22072, 2623, 3488, 2000, 4604, 5018, 1010, 2199, 3629, 2000, 7795, 1012, 102,
    ]  # fmt: skip
    assert tokenizer.encode(sentence, 6) == [101, 22072, 2623, 3488, 2000, 102]


def test_it_cleans_news_typography_as_bert_does():
    # No-break space, curly quotes, a zero-width space, accents, CJK, a tab and a NUL.
    sentence = "Café\u00a0“Zürich”\u200b said 中文 –\tyes\x00"

    assert basic_tokens(sentence) == [
        "cafe", "“", "zurich", "”", "said", "中", "文", "–", "yes",
    ]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_it_splits_any_text_as_bert_does(text):
    # Twice: the second call is answered from the per-character table and the per-word cache.
    assert basic_tokens(text) == bert_basic_tokens(text)
    assert basic_tokens(text) == bert_basic_tokens(text)
