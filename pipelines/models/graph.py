"""The set-level models in sql/: each file's header names its model, grain and dependencies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

from pipelines.contracts import resource_dir

_HEADER = re.compile(r"^--\s*(model|grain|depends_on):\s*(.*)$")


@dataclass(frozen=True)
class Model:
    name: str
    grain: str
    depends_on: tuple[str, ...]
    sql: str
    path: Path

    @property
    def intermediate(self) -> bool:
        return self.name.startswith("int_")


def parse_model(path: Path) -> Model:
    sql = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    for line in sql.splitlines():
        match = _HEADER.match(line.strip())
        if match:
            meta[match.group(1)] = match.group(2).strip()
    if meta.get("model") != path.stem:
        raise ValueError(f"{path}: header must say '-- model: {path.stem}'")
    if "grain" not in meta:
        raise ValueError(f"{path}: header must state the grain")
    deps = tuple(d.strip() for d in meta.get("depends_on", "").split(",") if d.strip())
    return Model(name=path.stem, grain=meta["grain"], depends_on=deps, sql=sql, path=path)


def load_models(sql_dir: Path | None = None) -> list[Model]:
    """All models in an order where each comes after what it depends on."""
    folder = sql_dir or resource_dir("sql")
    models = {m.name: m for m in map(parse_model, sorted(folder.glob("*.sql")))}
    graph = {name: {d for d in m.depends_on if d in models} for name, m in models.items()}
    return [models[name] for name in TopologicalSorter(graph).static_order()]
