"""An Airflow 3 deployment for the tests: its own AIRFLOW_HOME, the project's dags/, and a fresh Postgres
metadata database on the local server (127.0.0.1:5432, as on the dev machines and in CI).

Airflow reads its configuration when it is first imported, so the environment is set here, before any test
module of this folder imports it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_BASE = Path(tempfile.mkdtemp(prefix="linkindex-airflow-"))
DB_NAME = f"linkindex_airflow_test_{os.getpid()}"
DB_URL = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{DB_NAME}"
AIRFLOW_PORT = int(os.environ.get("LINKINDEX_TEST_AIRFLOW_PORT", "0")) or None

from pipelines.local_airflow import airflow_env, drop_postgres_database, prepare  # noqa: E402


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PORT = AIRFLOW_PORT or _free_port()
ENV = airflow_env(
    airflow_home=_BASE / "airflow", linkindex_home=_BASE / "home", landing=_BASE / "landing", db_url=DB_URL,
    port=PORT,
)
os.environ.update({k: v for k, v in ENV.items() if k.startswith(("AIRFLOW", "LINKINDEX_"))})


@pytest.fixture(scope="session")
def airflow_db() -> Iterator[dict[str, str]]:
    """A migrated metadata database with the warehouse pool; dropped at the end of the session."""
    drop_postgres_database(DB_URL)
    prepare(ENV)
    yield ENV
    from airflow import settings

    settings.dispose_orm()  # this process's pooled connections, before the database goes
    drop_postgres_database(DB_URL)
