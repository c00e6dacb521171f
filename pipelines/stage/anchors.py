"""Anchor text cleaning and normalisation, vectorised over Arrow/Polars columns."""

from __future__ import annotations

import unicodedata

import polars as pl
import pyarrow as pa

# C0/C1 controls other than whitespace never belong in anchor text; they arrive from broken exports.
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def clean_anchor_expr(col: str, max_chars: int) -> list[pl.Expr]:
    """Expressions giving `anchor` (controls removed, trimmed, capped) and `anchor_truncated`."""
    cleaned = pl.col(col).str.replace_all(_CONTROL, "").str.replace_all(r"\s+", " ").str.strip_chars()
    return [
        cleaned.str.slice(0, max_chars).alias("anchor"),
        (cleaned.str.len_chars() > max_chars).fill_null(False).alias("anchor_truncated"),
    ]


def normalize_anchor(text: str | None) -> str | None:
    """NFKC, lower-cased, whitespace collapsed (LINK_SEMANTICS anchor_norm); '' stays ''."""
    if text is None:
        return None
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def anchor_key(norm: str | None) -> str | None:
    """anchor_norm with Unicode punctuation and symbols turned into spaces (Majestic's TextMode)."""
    if norm is None:
        return None
    chars = (" " if unicodedata.category(c)[0] in "PS" else c for c in norm)
    return " ".join("".join(chars).split())


def term_key(text: str) -> str:
    """A brand term or keyword in anchor_key form, so that terms and anchors are compared as equal tokens."""
    return anchor_key(normalize_anchor(text)) or ""


def normalize_anchor_array(anchors: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """(anchor_norm, anchor_key) for a column, computed once per distinct anchor."""
    if isinstance(anchors, pa.ChunkedArray):
        anchors = anchors.combine_chunks()
    encoded = anchors.dictionary_encode()
    uniques = encoded.dictionary.to_pylist()
    norms = [normalize_anchor(u) for u in uniques]
    keys = [anchor_key(n) for n in norms]
    indices = encoded.indices
    return (
        pa.array(norms, pa.string()).take(indices),
        pa.array(keys, pa.string()).take(indices),
    )
