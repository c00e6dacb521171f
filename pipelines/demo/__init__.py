"""Demo, test and benchmark data: a seeded link world and the vendor exports that describe it."""

from pipelines.demo.bulk import write_bulk
from pipelines.demo.exports import (
    VENDORS,
    DemoManifest,
    Dialect,
    ExportFile,
    Vendor,
    encode,
    generate_landing,
)
from pipelines.demo.world import (
    ANCHOR_KINDS,
    DEFAULT_DATES,
    DEFAULT_TARGETS,
    LOST_REASONS,
    LinkWorld,
    TargetSite,
    build_world,
    to_ascii_host,
    to_unicode_host,
)

__all__ = [
    "ANCHOR_KINDS",
    "DEFAULT_DATES",
    "DEFAULT_TARGETS",
    "LOST_REASONS",
    "VENDORS",
    "DemoManifest",
    "Dialect",
    "ExportFile",
    "LinkWorld",
    "TargetSite",
    "Vendor",
    "build_world",
    "demo_config",
    "encode",
    "generate_landing",
    "to_ascii_host",
    "to_unicode_host",
    "write_bulk",
]


def demo_config(manifest: DemoManifest) -> str:
    """linkindex.toml for the demo sites: their brand names and the keywords their pages target."""
    lines = ["# Written by `linkindex demo`: brand terms and keywords of the generated sites.", "",
             "[anchors.brand_terms]"]
    lines += [f'"{to_ascii_host(s.domain)}" = [{", ".join(_q(b) for b in (s.brand, *s.brand_variants))}]'
              for s in manifest.sites]
    lines += ["", "[anchors.keywords]"]
    lines += [f'"{to_ascii_host(s.domain)}" = [{", ".join(_q(k) for k in s.keywords)}]'
              for s in manifest.sites]
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
