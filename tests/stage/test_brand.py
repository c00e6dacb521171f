"""Default brand terms of a domain label and the term normaliser they share with configured terms."""

from __future__ import annotations

import pytest

from pipelines.stage.anchors import anchor_key, normalize_anchor, term_key
from pipelines.stage.brand import default_brand_terms


@pytest.mark.parametrize(("label", "terms"), [
    ("acme-tools", ["acme tools", "acmetools"]),
    ("Acme--Tools-", ["acme tools", "acmetools"]),
    ("creativecommons", ["creativecommons", "creative commons"]),
    ("bücher-welt", ["bücher welt", "bücherwelt"]),
    # No split into letter shreds ("g it hub") nor of digits.
    ("github", ["github"]),
    ("web2print", ["web2print"]),
    ("", []),
])
def test_default_brand_terms(label: str, terms: list[str]) -> None:
    assert default_brand_terms(label) == terms


@pytest.mark.parametrize(("text", "term"), [
    ("ACME® Werkzeug", "acme werkzeug"),
    ("Bu\u0308cher-Welt", "bücher welt"),  # decomposed ü, as some exports write it
    ("  hand\ttools!  ", "hand tools"),
    ("ｃｏｒｄｌｅｓｓ drill", "cordless drill"),  # full-width letters
])
def test_configured_terms_take_the_anchor_key_form(text: str, term: str) -> None:
    assert term_key(text) == term == anchor_key(normalize_anchor(text.upper()))
