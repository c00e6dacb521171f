"""A generated landing folder ingested and built once through the real CLI, shared by the e2e tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.config import CONFIG_FILE
from pipelines.demo import DemoManifest, demo_config, generate_landing

CLI = str(Path(sys.executable).with_name("linkindex"))


def linkindex(*args: str | Path, home: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the installed `linkindex` console script, as a user or Airflow would."""
    env = {**os.environ, "LINKINDEX_HOME": str(home), "COLUMNS": "200"}
    proc = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, env=env, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"linkindex {args} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@dataclass(frozen=True)
class Built:
    home: Path
    landing: Path
    manifest: DemoManifest


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    home = tmp_path_factory.mktemp("home")
    landing = tmp_path_factory.mktemp("landing")
    manifest = generate_landing(landing, seed=3, n_domains=600)
    (home / CONFIG_FILE).write_text(demo_config(manifest), encoding="utf-8")
    for day in manifest.dates:
        linkindex("ingest", landing / day.isoformat(), "--observed-on", day.isoformat(), home=home)
    linkindex("build", home=home)
    return Built(home=home, landing=landing, manifest=manifest)


@pytest.fixture()
def built_copy(built: Built, tmp_path: Path) -> Built:
    """A private copy of the built home, for tests that change it."""
    home = tmp_path / "home"
    shutil.copytree(built.home, home)
    return Built(home=home, landing=built.landing, manifest=built.manifest)
