"""Per-link values packed into one int (rel flags, link type, placement), so that the hot loops append one
value per link; rows.py decodes the columns with numpy when a batch becomes Arrow."""

from __future__ import annotations

from typing import Final

NOFOLLOW: Final = 1
UGC: Final = 2
SPONSORED: Final = 4
REL_UNKNOWN: Final = 8  # the source records no rel (WATs before 2017): ugc/sponsored null, nofollow unless set
TYPE_SHIFT: Final = 4  # link type: index into LINK_TYPES (0, text, needs no bit)
IMAGE: Final = 1 << TYPE_SHIFT
REDIRECT: Final = 2 << TYPE_SHIFT
CANONICAL: Final = 3 << TYPE_SHIFT
PLACEMENT_SHIFT: Final = 6
LINK_TYPES: Final = ("text", "image", "redirect", "canonical")

_REL_BITS: Final = {"nofollow": NOFOLLOW, "ugc": UGC, "sponsored": SPONSORED}


def rel_bits(rel: str, cache: dict[str, int]) -> int:
    """NOFOLLOW/UGC/SPONSORED bits of a rel attribute value (tokens case-insensitive)."""
    bits = cache.get(rel)
    if bits is None:
        bits = 0
        for token in rel.lower().split():
            bits |= _REL_BITS.get(token, 0)
        cache[rel] = bits
    return bits
