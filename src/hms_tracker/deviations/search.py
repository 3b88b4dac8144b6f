"""The words of a search in the deviation list: every word must occur (in the title, the
description or the place), in any order, so "kantpresse knuste" finds "Hånd i kantpresse –
knuste fingre". Pure: no database."""

from __future__ import annotations

MAX_WORDS = 10
# Punctuation around a word is not part of it ("fingre," "«kappsag»"); inside it is ("1.5").
_AROUND = "\"'«»“”‘’.,;:!?()[]{}–—-"


def search_words(text: str) -> list[str]:
    """The distinct words of `text`, lower case, in order, at most MAX_WORDS; punctuation on
    their edges is dropped, and a word of punctuation only is no word."""
    words: list[str] = []
    for raw in text.lower().split():
        word = raw.strip(_AROUND)
        if word and word not in words:
            words.append(word)
    return words[:MAX_WORDS]
