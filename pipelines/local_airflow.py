"""A local Airflow 3 for linkindex without Docker: API server, scheduler, DAG processor and triggerer as
processes of one machine, on a Postgres (or, for a quick look, SQLite) metadata database.

Used by `linkindex airflow` and by the live tests. Airflow reads its settings from AIRFLOW__* variables, so
everything here is environment: the project's dags/ folder, the linkindex home and landing root the DAGs
read, the metadata database, the ports, and the login of Airflow's simple auth manager. AIRFLOW__* variables
already in the caller's environment apply too, unless set here.

Each service runs in a session of its own (so a Ctrl-C in the terminal reaches only the caller), and
`LocalAirflow.stop()` ends each service's whole process group: task processes and log servers included.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
DAGS_FOLDER = ROOT / "dags"
DEFAULT_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/linkindex_airflow"
SERVICES = ("api-server", "scheduler", "dag-processor", "triggerer")
# The component names of GET /api/v2/monitor/health that must report "healthy".
HEALTH_COMPONENTS = ("metadatabase", "scheduler", "dag_processor", "triggerer")
ADMIN = "admin"
# The nightly DAG's schedule, "0 2 * * *" UTC: the run of day D covers [D 02:00, D+1 02:00).
NIGHTLY_HOUR = 2


class DatabaseUnreachable(RuntimeError):
    """The metadata database's server does not answer or refuses us."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _private_file(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


def _kept_secret(path: Path, make: Callable[[], str]) -> str:
    """A secret generated once per Airflow home, so that restarts keep tokens, sessions and encrypted values."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = make()
    _private_file(path, value)
    return value


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


def airflow_env(
    *, airflow_home: Path, linkindex_home: Path, landing: Path, db_url: str, port: int,
    admin_password: str = "admin",
) -> dict[str, str]:
    """The environment every Airflow process of this deployment runs with."""
    airflow_home.mkdir(parents=True, exist_ok=True)
    passwords = airflow_home / "passwords.json"
    _private_file(passwords, json.dumps({ADMIN: admin_password}))
    secret = _kept_secret(airflow_home / "secret", lambda: secrets.token_hex(32))
    fernet = _kept_secret(airflow_home / "fernet_key", _fernet_key)
    return {
        **os.environ,
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        # Small machines: two task processes at most, one DAG file parser, one API worker.
        "AIRFLOW__CORE__PARALLELISM": "2",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__FERNET_KEY": fernet,
        # Task processes report to the API server; off port 8080 they must be told where it is.
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__AUTH_MANAGER":
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API__SECRET_KEY": secret,
        "AIRFLOW__API_AUTH__JWT_SECRET": secret,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db_url,
        # The scheduler and the triggerer serve their task logs over HTTP; free ports, so that two local
        # deployments (or a test run beside `linkindex airflow`) do not collide on 8793/8794.
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        # Look for new DAG files every 30 s and re-parse changed ones as often: edits show up quickly
        # without a parser process running all the time.
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "30",
        "LINKINDEX_HOME": str(linkindex_home),
        "LINKINDEX_LANDING": str(landing),
        # The DAGs import `pipelines`; a checkout that is not installed still finds it.
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        "NO_PROXY": "*",
        "no_proxy": "*",
    }


def check_database(db_url: str, *, timeout: int = 5) -> None:
    """Fail fast, with a hint, if a postgresql:// URL's server does not answer. SQLite needs nothing."""
    if not db_url.startswith("postgresql"):
        return
    import psycopg2
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    try:
        con = psycopg2.connect(host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username,
                               password=url.password, dbname="postgres", connect_timeout=timeout)
    except psycopg2.OperationalError as exc:
        where = f"{url.host or '127.0.0.1'}:{url.port or 5432}"
        detail = " ".join(str(exc).split())
        raise DatabaseUnreachable(f"cannot reach the Postgres server at {where} as {url.username!r}: {detail}") \
            from None
    con.close()


@contextmanager
def _server_cursor(db_url: str) -> Iterator[Any]:
    """An autocommit cursor on the server's `postgres` database, as the URL's user."""
    import psycopg2
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    con = psycopg2.connect(host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username,
                           password=url.password, dbname="postgres")
    con.autocommit = True
    try:
        with con.cursor() as cur:
            yield cur
    finally:
        con.close()


def ensure_postgres_database(db_url: str) -> None:
    """Create the database of a postgresql:// URL if it is missing (the server must run and let us in)."""
    from psycopg2 import sql as pgsql
    from sqlalchemy.engine import make_url

    check_database(db_url)
    name = make_url(db_url).database
    with _server_cursor(db_url) as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))


def drop_postgres_database(db_url: str) -> None:
    """Drop the database of a postgresql:// URL, closing whatever is still connected to it."""
    from psycopg2 import sql as pgsql
    from sqlalchemy.engine import make_url

    name = make_url(db_url).database
    with _server_cursor(db_url) as cur:
        cur.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))


def _airflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "airflow", *args], env=env, text=True, capture_output=True,
                          check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
        raise RuntimeError(f"`airflow {' '.join(args)}` exited with {proc.returncode}:\n{tail}")
    return proc


def prepare(env: dict[str, str]) -> None:
    """Migrate the metadata database and create the warehouse pool: what a scheduler needs first."""
    # Here, not at the top: `linkindex` imports this module, and pipelines.orchestrate is heavy.
    from pipelines.orchestrate import WAREHOUSE_POOL, WAREHOUSE_POOL_SLOTS

    db_url = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    if db_url.startswith("postgresql"):
        ensure_postgres_database(db_url)
    _airflow(env, "db", "migrate")
    _airflow(env, "pools", "set", WAREHOUSE_POOL, str(WAREHOUSE_POOL_SLOTS),
             "linkindex: one build or publish at a time")


@dataclass
class LocalAirflow:
    """The four Airflow services of one deployment; `stop()` ends them and everything they started."""

    env: dict[str, str]
    port: int
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _logs: list[IO[bytes]] = field(default_factory=list, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_dir(self) -> Path:
        return Path(self.env["AIRFLOW_HOME"]) / "logs"

    def log_file(self, service: str) -> Path:
        return self.log_dir / f"{service}.log"

    def start(self) -> None:
        if self.processes:
            raise RuntimeError("already started")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            for service in SERVICES:
                out = self.log_file(service).open("ab")
                self._logs.append(out)
                # A session of its own: stopping kills the service and every worker it forked.
                self.processes.append(subprocess.Popen(
                    [sys.executable, "-m", "airflow", service], env=self.env, stdout=out,
                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                ))
        except BaseException:
            self.stop()
            raise

    def exited(self) -> list[str]:
        """The services whose process has ended, with their exit codes."""
        return [f"{service} (exit {proc.returncode})" for proc, service in zip(self.processes, SERVICES,
                                                                               strict=False)
                if proc.poll() is not None]

    def health(self) -> dict[str, Any]:
        with _opener.open(f"{self.url}/api/v2/monitor/health", timeout=5) as resp:
            return dict(json.load(resp))

    def wait_healthy(self, timeout: float = 180) -> None:
        """Until the API server answers and reports the database, scheduler, DAG processor and triggerer
        healthy; raises if a service exits first."""
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            if dead := self.exited():
                raise RuntimeError(f"airflow {', '.join(dead)} before becoming healthy; logs in {self.log_dir}")
            try:
                health = self.health()
                last = health
                if all((health.get(c) or {}).get("status") == "healthy" for c in HEALTH_COMPONENTS):
                    return
            except (urllib.error.URLError, OSError, ValueError) as exc:
                last = exc
            time.sleep(1)
        raise TimeoutError(f"Airflow at {self.url} not healthy after {timeout:.0f} s (last: {last}); "
                           f"logs in {self.log_dir}")

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM every service's process group, SIGKILL what is left after `timeout` seconds."""
        for proc in self.processes:
            _killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.processes:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        # Whatever a service left behind in its group (a task process, a log server) goes too.
        for proc in self.processes:
            _killpg(proc.pid, signal.SIGKILL)
        self.processes.clear()
        for out in self._logs:
            out.close()
        self._logs.clear()

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of every service's log, for a failure message."""
        return "\n".join(f"----- {self.log_file(service)} (last {lines} lines) -----\n"
                         + tail(self.log_file(service), lines) for service in SERVICES)

    def __enter__(self) -> LocalAirflow:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of a text file (read from its last 256 KiB), or a note that it is missing."""
    if not path.exists():
        return f"({path} does not exist)"
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - 256 * 1024))
        text = fh.read().decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def _killpg(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


# The API is on 127.0.0.1: never through an HTTP proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ApiError(RuntimeError):
    def __init__(self, status: int, method: str, path: str, body: str) -> None:
        super().__init__(f"{method} {path}: HTTP {status}: {body[:2000]}")
        self.status = status


@dataclass
class AirflowApi:
    """A minimal client of Airflow's REST API with a token from the simple auth manager."""

    url: str
    username: str = ADMIN
    password: str = "admin"
    token: str | None = None

    def login(self) -> str:
        body = self._send("POST", "/auth/token", {"username": self.username, "password": self.password},
                          auth=False)
        self.token = str(body["access_token"])
        return self.token

    def get(self, path: str, **params: Any) -> Any:
        """GET `path` with query parameters; a list value repeats its key (`state=a&state=b`)."""
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
        return self._send("GET", f"{path}?{query}" if query else path)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self._send("POST", path, body)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self._send("PATCH", path, body)

    def _send(self, method: str, path: str, body: dict[str, Any] | None = None, *, auth: bool = True) -> Any:
        if auth and self.token is None:
            self.login()
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with _opener.open(request, timeout=30) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raise ApiError(exc.code, method, path, exc.read().decode("utf-8", "replace")) from None
        return json.loads(raw) if raw else None

    def wait_for_dag(self, dag_id: str, timeout: float = 120) -> dict[str, Any]:
        """The DAG once the DAG processor has parsed and stored it."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return dict(self.get(f"/api/v2/dags/{dag_id}"))
            except ApiError as exc:
                if exc.status != 404 or time.monotonic() > deadline:
                    raise
            time.sleep(1)


# ---------------------------------------------------------------------------------------------------------
# `linkindex airflow`: demo landing days, a prepared database, the four services until Ctrl-C.


def complete_days(n: int, now: datetime | None = None) -> list[date]:
    """The `n` latest days whose nightly interval has ended (so a backfill can run them), oldest first."""
    now = now or datetime.now(UTC)
    last = (now - timedelta(days=1, hours=NIGHTLY_HOUR)).date()
    return [last - timedelta(days=k) for k in range(n - 1, -1, -1)]


def demo_landing(home: Path, landing: Path, days: list[date], *, seed: int = 7, n_domains: int = 600) -> list[date]:
    """Vendor exports for the first and the last of `days` (the days between land nothing), and the demo
    linkindex.toml in `home` unless one is there. Returns the days that have files."""
    from pipelines.config import CONFIG_FILE
    from pipelines.demo import demo_config, generate_landing
    from pipelines.load.lake import atomic_write_bytes

    if len(days) < 2:
        raise ValueError("need at least two days: the demo world is seen on two dates")
    generated = [days[0], days[-1]]
    manifest = generate_landing(landing, seed=seed, n_domains=n_domains, dates=(generated[0], generated[1]))
    config = home / CONFIG_FILE
    if not config.exists():
        home.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(config, demo_config(manifest).encode("utf-8"))
    return generated


@contextlib.contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """Ctrl-C, a `kill` and a closing terminal all stop the deployment the same way. SIGINT too is set here:
    a shell starting us in the background without job control leaves it ignored."""
    def raise_interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, raise_interrupt) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """A second Ctrl-C while stopping must not leave services running: they are not in our session."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve(
    home: Path, *, port: int = 8080, db_url: str = DEFAULT_POSTGRES, days: int = 3, password: str | None = None,
    echo: Callable[[str], None] = print,
) -> int:
    """Run a local Airflow over a demo landing folder in `home` until Ctrl-C; returns the exit code.

    Raises DatabaseUnreachable (before anything is written) if the Postgres server does not answer, and
    OSError if the port is taken.
    """
    home = home.expanduser().resolve()
    check_database(db_url)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            raise OSError(f"port {port} on 127.0.0.1 is taken ({exc.strerror}); pass --port") from None
    airflow_home, landing = home / "airflow", home / "landing"
    passwords = airflow_home / "passwords.json"
    if password is None and passwords.exists():
        password = json.loads(passwords.read_text(encoding="utf-8")).get(ADMIN)
    password = password or secrets.token_urlsafe(12)

    run_days = complete_days(days)
    echo(f"generating demo exports for {run_days[0]} and {run_days[-1]} in {landing} ...")
    with_files = demo_landing(home, landing, run_days)
    env = airflow_env(airflow_home=airflow_home, linkindex_home=home, landing=landing, db_url=db_url, port=port,
                      admin_password=password)
    echo(f"migrating the Airflow metadata database {_safe_url(db_url)} ...")
    prepare(env)
    airflow = LocalAirflow(env, port)
    try:
        with _stop_signals_interrupt():
            try:
                echo("starting the API server, scheduler, DAG processor and triggerer ...")
                airflow.start()
                airflow.wait_healthy()
                empty = [d for d in run_days if d not in with_files]
                echo("")
                echo(f"Airflow is up: {airflow.url}   log in as {ADMIN} / {password}")
                echo(f"  linkindex home {home} (warehouse.duckdb), landing root {landing}")
                echo(f"  landing days with exports: {', '.join(map(str, with_files))}"
                     + (f"; without: {', '.join(map(str, empty))}" if empty else ""))
                echo(f"  service logs: {airflow.log_dir}/<service>.log")
                echo(f"Backfill from the UI: open linkindex_nightly, unpause it, Trigger → Backfill from "
                     f"{run_days[0]} to {run_days[-1]}, Run Backfill. Ctrl-C stops Airflow.")
                while not (dead := airflow.exited()):
                    time.sleep(1)
                echo(f"airflow {', '.join(dead)} stopped unexpectedly; stopping the others.")
                echo(airflow.log_tail(20))
                return 1
            except (TimeoutError, RuntimeError) as exc:
                echo(f"Airflow did not come up: {exc}")
                echo(airflow.log_tail(20))
                return 1
            except KeyboardInterrupt:
                echo("\nstopping Airflow ...")
                return 0
    finally:
        with _uninterrupted():
            airflow.stop()
        echo("Airflow stopped.")


def _safe_url(db_url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(db_url).render_as_string(hide_password=True)
