"""The compose file and Dockerfile stay valid and consistent with the package (Docker cannot run here)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

from pipelines.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_compose_services_run_real_cli_commands_and_expose_nothing() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"ingest", "build", "demo"} <= set(services)
    for name, service in services.items():
        assert service["command"][0] in main.commands, name
        assert "ports" not in service, f"{name} must not publish ports"
        assert service["environment"]["LINKINDEX_HOME"] == "/data/home"
        assert any(v.startswith("linkindex-home:") for v in service["volumes"])
    assert "linkindex-home" in compose["volumes"]


def test_dockerfile_installs_from_the_lock_and_ships_models_and_contracts() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "uv sync --frozen --no-dev" in dockerfile
    for folder in ("pipelines", "sql", "schemas"):
        assert f"COPY {folder} ./{folder}" in dockerfile
    assert 'ENTRYPOINT ["linkindex"]' in dockerfile
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["linkindex"] == "pipelines.cli:main"
    assert (ROOT / "uv.lock").exists()
