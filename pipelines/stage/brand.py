"""Default brand terms of a target domain: its label spaced, joined, and split into words."""

from __future__ import annotations

import wordninja

from pipelines.stage.anchors import term_key

# wordninja's split of a name it has no word for falls into letter shreds ("github" -> "g it hub"); a split
# with a one-letter or non-alphabetic piece is not taken as the brand's words.
_MIN_WORD = 2


def split_label(part: str) -> list[str] | None:
    """The words of one joined, hyphen-free ASCII label part ("creativecommons" -> creative, commons)."""
    if not part.isascii() or not part.isalpha():
        return None
    words = [w.lower() for w in wordninja.split(part)]
    if len(words) < 2 or any(len(w) < _MIN_WORD or not w.isalpha() for w in words):
        return None
    return words


def default_brand_terms(label: str) -> list[str]:
    """Brand terms for a registrable domain's label (without the suffix), in anchor_key form, most literal first.

    "acme-tools" -> acme tools, acmetools; "creativecommons" -> creativecommons, creative commons. The label
    is Unicode as staging gives it (xn--bcher-welt-9db.de -> "bücher-welt" -> bücher welt, bücherwelt).
    """
    parts = [p for p in label.lower().split("-") if p]
    if not parts:
        return []
    split = [split_label(p) or [p] for p in parts]
    candidates = [" ".join(parts), "".join(parts), " ".join(w for words in split for w in words)]
    terms: list[str] = []
    for term in map(term_key, candidates):
        if term and term not in terms:
            terms.append(term)
    return terms
