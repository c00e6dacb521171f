"""Run settings: where the home is and the documented knobs of the curated models."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

CONFIG_FILE = "linkindex.toml"


@dataclass(frozen=True)
class ModelSettings:
    """Knobs of the set-level models; recorded per build in build_info."""

    # Sitewide: the referring domain links to the target from at least this share of its known pages
    # and at least this many pages (LINK_SEMANTICS "Sitewide").
    sitewide_min_share: float = 0.5
    sitewide_min_pages: int = 5
    # A link last seen this long before the newest observation, with no later evidence, is page_dropped.
    page_dropped_days: int = 90
    # Spike detector: trailing window, robust z threshold, and a floor so that tiny counts never flag.
    spike_window_days: int = 28
    spike_threshold: float = 3.5
    spike_min_count: int = 5
    # "domain": links inside one registrable domain are internal (Ahrefs, Semrush);
    # "host": only links inside one host are, so subdomains count as external (Majestic).
    internal_scope: str = "domain"
    # Template links (sql/int_link_placement.sql): a link and its neighbour repeat as a pair on at least this
    # share of the host's crawled pages, and the host has at least this many, so one or two pages of a site
    # never make a template.
    template_min_share: float = 0.5
    template_min_pages: int = 5

    def __post_init__(self) -> None:
        if self.internal_scope not in {"domain", "host"}:
            raise ValueError(f"internal_scope must be 'domain' or 'host', not {self.internal_scope!r}")
        if not 0 < self.sitewide_min_share <= 1:
            raise ValueError("sitewide_min_share must be in (0, 1]")
        if not 0 < self.template_min_share <= 1:
            raise ValueError("template_min_share must be in (0, 1]")
        if self.template_min_pages < 2:
            raise ValueError("template_min_pages must be at least 2: one page repeats nothing")


@dataclass(frozen=True)
class Settings:
    home: Path
    models: ModelSettings = field(default_factory=ModelSettings)
    # Anchors longer than this are cut and flagged rather than dropped.
    anchor_max_chars: int = 1000
    include_private_suffixes: bool = True
    # DuckDB memory cap for a build, e.g. "12GB"; None keeps DuckDB's default (80 % of RAM). Measured: a
    # 10^7-observation build peaks at 21 GB RSS uncapped, and at a 6GB cap the backlinks aggregate runs out.
    build_memory_limit: str | None = None
    # Per target registrable domain: extra brand terms and the keywords it targets.
    brand_terms: dict[str, list[str]] = field(default_factory=dict)
    keywords: dict[str, list[str]] = field(default_factory=dict)
    # Bounds of the publish gate's `warn` metrics, by name ([quality] in linkindex.toml); a contract's own
    # bound applies where none is given. row_count_change_pct: a table's size change against the published
    # warehouse, in percent either way (default 50).
    quality: dict[str, float] = field(default_factory=dict)

    @property
    def lake(self) -> Path:
        return self.home / "lake"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"


class HomeError(ValueError):
    """A home path linkindex cannot keep a warehouse in."""


def resolve_home(home: str | os.PathLike[str] | None) -> Path:
    """--home, else $LINKINDEX_HOME, else ./linkindex-home. Any character is fine but '?' (see below)."""
    chosen = home or os.environ.get("LINKINDEX_HOME") or "linkindex-home"
    root = Path(chosen).expanduser().resolve()
    if "?" in str(root):
        # DuckDB 1.5 cuts a database path at '?' (URI-style options) when it names the WAL, so a commit fails
        # after the data is written; refusing up front beats a build that dies at its first checkpoint.
        raise HomeError(f"home {str(root)!r} contains '?', which DuckDB cannot keep a database under: "
                        "choose a path without '?'")
    return root


def load_settings(home: str | os.PathLike[str] | None = None) -> Settings:
    """Settings from `<home>/linkindex.toml` when present, defaults otherwise.

    The file has optional tables [models], [anchors] (brand_terms / keywords keyed by target domain),
    [domains] (include_private_suffixes), [build] (memory_limit, e.g. "12GB") and [quality] (bounds of the
    publish gate's warn metrics).
    """
    root = resolve_home(home)
    path = root / CONFIG_FILE
    doc: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    known = {f.name for f in fields(ModelSettings)}
    model_doc = doc.get("models", {})
    unknown = set(model_doc) - known
    if unknown:
        raise ValueError(f"{path}: unknown [models] settings {sorted(unknown)}")
    anchors = doc.get("anchors", {})
    quality = {k: float(v) for k, v in doc.get("quality", {}).items()}
    unknown = set(quality) - quality_settings()
    if unknown:
        raise ValueError(f"{path}: unknown [quality] settings {sorted(unknown)}; known: {sorted(quality_settings())}")
    return Settings(
        home=root,
        models=ModelSettings(**model_doc),
        anchor_max_chars=int(doc.get("ingest", {}).get("anchor_max_chars", 1000)),
        include_private_suffixes=bool(doc.get("domains", {}).get("include_private_suffixes", True)),
        build_memory_limit=doc.get("build", {}).get("memory_limit"),
        brand_terms={k.lower(): list(v) for k, v in anchors.get("brand_terms", {}).items()},
        keywords={k.lower(): list(v) for k, v in anchors.get("keywords", {}).items()},
        quality=quality,
    )


def quality_settings() -> set[str]:
    """The [quality] keys: row_count_change_pct and every contract metric check's `setting`."""
    from pipelines.contracts import all_contracts

    return {"row_count_change_pct"} | {
        check.setting for c in all_contracts().values() for check in c.checks if check.setting
    }
