"""The compose stack, the Dockerfile and .env.example stay valid and consistent with the package.

Docker cannot run here (there is no engine, and `docker compose config` is not something CI can count on), so
these tests parse docker-compose.yml as Compose does (YAML anchors and merge keys resolved), validate the
`${...}` interpolation syntax themselves, and check the properties the stack promises: Airflow 3 on the
project's own image with a Postgres metadata database, health checks and start order, nothing published beyond
localhost, secrets only from the git-ignored .env, and the landing and home volumes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from pipelines.cli import main
from pipelines.orchestrate import WAREHOUSE_POOL, WAREHOUSE_POOL_SLOTS

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"

# Service name -> `airflow` subcommand of the long-running Airflow services.
AIRFLOW_DAEMONS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}
AIRFLOW_INIT = "airflow-init"
AIRFLOW_SERVICES = {AIRFLOW_INIT, *AIRFLOW_DAEMONS}
CLI_SERVICES = {"ingest", "build", "demo"}
HOME_VOLUME = "linkindex-home:/data/home"
LANDING_VOLUME = "./landing:/data/landing:ro"


# --- Compose interpolation ------------------------------------------------------------------------------------
# The Compose spec's syntax: `$$` is a literal `$`; `${NAME}`, `${NAME:-default}`, `${NAME-default}`,
# `${NAME:?error}`, `${NAME?error}` (and compose-go's `:+` / `+`), nestable in the default or message.
# Stricter than Compose on purpose: a bare `$NAME` or a lone `$` is rejected, because in a command meant for a
# shell it is interpolated by Compose (usually to "") before the shell ever sees it.

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MODIFIERS = (":-", ":?", ":+", "-", "?", "+")


class InterpolationError(ValueError):
    pass


class MissingVariable(LookupError):
    pass


@dataclass(frozen=True)
class Var:
    name: str
    modifier: str | None
    argument: tuple[str | Var, ...]


def parse(value: str) -> tuple[str | Var, ...]:
    """A Compose string value as literal text and `${...}` references; InterpolationError when malformed."""
    parts: list[str | Var] = []
    text: list[str] = []
    i = 0
    while i < len(value):
        if value[i] != "$":
            text.append(value[i])
            i += 1
            continue
        follower = value[i + 1 : i + 2]
        if follower == "$":
            text.append("$")
            i += 2
            continue
        if follower != "{":
            raise InterpolationError(f"bare or stray '$' at {i} in {value!r}: write ${{NAME}}, or $$ for a literal $")
        depth, j = 0, i + 1
        while j < len(value):
            if value[j] == "{":
                depth += 1
            elif value[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        else:
            raise InterpolationError(f"unclosed '${{' at {i} in {value!r}")
        body = value[i + 2 : j]
        name = _NAME.match(body)
        if name is None:
            raise InterpolationError(f"no variable name in '${{{body}}}' in {value!r}")
        rest = body[name.end() :]
        modifier = next((m for m in _MODIFIERS if rest.startswith(m)), None)
        if rest and modifier is None:
            raise InterpolationError(f"unsupported modifier in '${{{body}}}' in {value!r}")
        argument = parse(rest[len(modifier) :]) if modifier else ()
        if text:
            parts.append("".join(text))
            text = []
        parts.append(Var(name.group(), modifier, argument))
        i = j + 1
    if text:
        parts.append("".join(text))
    return tuple(parts)


def variables(parts: tuple[str | Var, ...]) -> Iterator[Var]:
    for part in parts:
        if isinstance(part, Var):
            yield part
            yield from variables(part.argument)


def expand(value: str, env: Mapping[str, str]) -> str:
    """What Compose makes of `value` given the variables in `env` (MissingVariable for an unmet `?`)."""
    return _expand(parse(value), env)


def _expand(parts: tuple[str | Var, ...], env: Mapping[str, str]) -> str:
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        value = env.get(part.name)
        unset = value is None or (value == "" and (part.modifier or "").startswith(":"))
        if part.modifier in (":-", "-"):
            out.append(_expand(part.argument, env) if unset else value or "")
        elif part.modifier in (":?", "?"):
            if unset:
                raise MissingVariable(f"{part.name}: {_expand(part.argument, env)}")
            out.append(value or "")
        elif part.modifier in (":+", "+"):
            out.append("" if unset else _expand(part.argument, env))
        else:
            out.append(value or "")
    return "".join(out)


def strings(node: Any) -> Iterator[str]:
    """Every string value in a parsed YAML document (Compose interpolates values, not keys)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("plain", []),
        ("${A}", ["A"]),
        ("x${A:-8080}y", ["A"]),
        ("${A:?set A in .env}", ["A"]),
        ("${A-${B:-c}}", ["A", "B"]),
        ("$${NOT_COMPOSE} and $$HOME", []),
    ],
)
def test_interpolation_parser_accepts_the_compose_syntax(value: str, names: list[str]) -> None:
    assert [v.name for v in variables(parse(value))] == names


@pytest.mark.parametrize("value", ["$A", "a $ b", "${A", "${}", "${1A}", "${A/x/y}", "${A:x}", "trailing $"])
def test_interpolation_parser_rejects_malformed_references(value: str) -> None:
    with pytest.raises(InterpolationError):
        parse(value)


def test_expand_follows_compose_semantics() -> None:
    assert expand("127.0.0.1:${P:-8080}:8080", {}) == "127.0.0.1:8080:8080"
    assert expand("127.0.0.1:${P:-8080}:8080", {"P": "9000"}) == "127.0.0.1:9000:8080"
    assert expand("a$$b", {}) == "a$b"
    with pytest.raises(MissingVariable):
        expand("${S:?set S}", {"S": ""})
    assert expand("${S:?set S}", {"S": "s3cret"}) == "s3cret"


# --- Loading -------------------------------------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment in mapping form, so that keys and values can be checked"
    return env


def env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a dotenv file, comments and blank lines skipped."""
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"not KEY=VALUE: {line!r}"
            pairs[key.strip()] = value.strip()
    return pairs


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def dockerfile_instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def init_script() -> str:
    init = services()[AIRFLOW_INIT]
    assert init["entrypoint"] == ["/bin/bash", "-c"]
    (script,) = init["command"]
    assert not list(variables(parse(script))), "the init script takes its inputs from the environment at run time"
    return expand(script, {})


def long_running() -> set[str]:
    return {
        name
        for name, service in services().items()
        if "cli" not in service.get("profiles", []) and service.get("restart") != "no"
    }


# --- The tests -----------------------------------------------------------------------------------------------


def test_every_interpolation_is_well_formed() -> None:
    found = []
    for value in strings(compose()):
        found.extend(variables(parse(value)))
    assert {v.name for v in found} >= {"POSTGRES_PASSWORD", "AIRFLOW_FERNET_KEY", "AIRFLOW_ADMIN_PASSWORD"}


def test_env_example_defines_every_variable_the_stack_requires() -> None:
    found = [v for value in strings(compose()) for v in variables(parse(value))]
    required = {v.name for v in found if v.modifier in (":?", "?")}
    assert required == {
        "POSTGRES_PASSWORD",
        "AIRFLOW_FERNET_KEY",
        "AIRFLOW_API_SECRET_KEY",
        "AIRFLOW_JWT_SECRET",
        "AIRFLOW_ADMIN_PASSWORD",
    }
    for var in found:
        if var.name in required:
            assert var.modifier == ":?", f"every use of {var.name} must require it (and reject an empty value)"
    example_path = ROOT / ".env.example"
    example = env_file(example_path)
    assert required <= set(example), f"missing from .env.example: {sorted(required - set(example))}"
    for name in required:
        assert example[name] == "", f"{name}: .env.example ships no usable secret, so Compose refuses to start"
    text = example_path.read_text(encoding="utf-8")
    for name in {v.name for v in found} - required:
        assert re.search(rf"^#?\s*{name}=", text, re.M), f"optional {name} documented in .env.example"
    for name in example:
        above = text.split(f"\n{name}=")[0].rstrip().splitlines()[-1]
        assert above.startswith("#"), f"{name} has a comment saying what it is and how to generate it"
    # With the .env filled in, everything resolves; with no .env, Compose refuses to start.
    filled = {name: value or "generated" for name, value in example.items()}
    for value in strings(compose()):
        expand(value, filled)
    with pytest.raises(MissingVariable):
        for value in strings(compose()):
            expand(value, {})


def test_env_is_ignored_by_git_and_kept_out_of_the_image() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored or "/.env" in ignored
    assert ".env" in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    if (ROOT / ".git").exists() and shutil.which("git"):
        check = ["git", "-C", str(ROOT), "check-ignore", "-q", "--no-index"]
        assert subprocess.run([*check, ".env"], check=False).returncode == 0, ".env is git-ignored"
        assert subprocess.run([*check, ".env.example"], check=False).returncode == 1, ".env.example is committed"


def test_airflow_services_run_the_project_image() -> None:
    image = f"linkindex:{project_version()}"
    assert AIRFLOW_SERVICES | CLI_SERVICES | {"postgres"} == set(services())
    for name in AIRFLOW_SERVICES | CLI_SERVICES:
        service = services()[name]
        build = service["build"]
        assert (build if isinstance(build, str) else build["context"]) == ".", name
        assert service["image"] == image, name
    for name, subcommand in AIRFLOW_DAEMONS.items():
        service = services()[name]
        assert service["entrypoint"] == ["airflow"], f"{name} overrides the image's linkindex ENTRYPOINT"
        assert service["command"] == [subcommand], name
    script = init_script().splitlines()
    assert script[0] == "set -euo pipefail"
    assert script[1] == "airflow db migrate"


def test_airflow_settings() -> None:
    apiserver = services()["airflow-apiserver"]
    for name in AIRFLOW_SERVICES:
        env = env_of(services()[name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/app/dags"
        execution_api = urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
        assert execution_api.hostname == "airflow-apiserver"
        assert execution_api.port == 8080 and execution_api.path == "/execution/"
        assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith(".simple_auth_manager.SimpleAuthManager")
        assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin"
        assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"].startswith(env["AIRFLOW_HOME"] + "/")
        # One value for every component: tasks get tokens from the scheduler that the API server must accept.
        for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY"):
            assert env[key] == env_of(apiserver)[key], (name, key)


def _airflow_package() -> Path:
    spec = importlib.util.find_spec("airflow")  # locates the package without importing (and configuring) it
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the airflow extra is not installed (uv sync --extra airflow)")
    return Path(next(iter(spec.submodule_search_locations)))


def test_airflow_option_names_exist_in_the_installed_airflow() -> None:
    package = _airflow_package()
    config = yaml.safe_load((package / "config_templates" / "config.yml").read_text(encoding="utf-8"))
    checked = set()
    for name in AIRFLOW_SERVICES:
        for key in env_of(services()[name]):
            if key.startswith("AIRFLOW__"):
                section, option = key.removeprefix("AIRFLOW__").lower().split("__")
                assert option in config.get(section, {}).get("options", {}), f"{name}: [{section}] {option}"
                checked.add(key)
    assert "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE" in checked
    auth_manager = env_of(services()["airflow-apiserver"])["AIRFLOW__CORE__AUTH_MANAGER"]
    module, _, cls = auth_manager.rpartition(".")
    source = package.parent.joinpath(*module.split(".")).with_suffix(".py").read_text(encoding="utf-8")
    assert f"class {cls}(" in source
    # The auth manager reads the password file as JSON {"user": "password"} (what airflow-init writes).
    assert "json.loads(content)" in source


def test_the_metadata_database_is_postgres() -> None:
    postgres = services()["postgres"]
    assert postgres["image"].startswith("postgres:")
    pg_env = env_of(postgres)
    assert any(v.endswith(":/var/lib/postgresql/data") and not v.startswith((".", "/")) for v in postgres["volumes"])
    password_var = next(variables(parse(pg_env["POSTGRES_PASSWORD"]))).name
    for name in AIRFLOW_SERVICES:
        conn = env_of(services()[name])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        assert password_var in {v.name for v in variables(parse(conn))}, name
        url = urlsplit(expand(conn, {password_var: "sentinel"}))
        assert url.scheme == "postgresql+psycopg2", name
        assert url.hostname == "postgres" and (url.port or 5432) == 5432, name
        assert url.username == pg_env["POSTGRES_USER"] and url.password == "sentinel", name
        assert url.path == "/" + pg_env["POSTGRES_DB"], name


def test_every_long_running_service_has_a_healthcheck() -> None:
    assert long_running() == {"postgres", *AIRFLOW_DAEMONS}
    tests = {}
    for name in long_running():
        check = services()[name].get("healthcheck")
        assert check and not check.get("disable"), f"{name} has a healthcheck"
        test = check["test"]
        assert isinstance(test, list) and test[0] in {"CMD", "CMD-SHELL"}, name
        for i, arg in enumerate(test[:-1]):
            if arg == "-c" and test[i - 1] == "python":
                compile(test[i + 1], f"{name} healthcheck", "exec")
        tests[name] = " ".join(test)
    assert "pg_isready" in tests["postgres"]
    assert "http://127.0.0.1:8080/api/v2/monitor/health" in tests["airflow-apiserver"]
    scheduler_env = env_of(services()["airflow-scheduler"])
    assert scheduler_env["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "true"
    health_port = scheduler_env["AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT"]
    assert f"http://127.0.0.1:{health_port}/health" in tests["airflow-scheduler"]
    assert "jobs check --job-type DagProcessorJob --local" in tests["airflow-dag-processor"]
    assert "jobs check --job-type TriggererJob --local" in tests["airflow-triggerer"]


def test_services_start_in_order() -> None:
    expected = {
        AIRFLOW_INIT: {"postgres": "service_healthy"},
        "airflow-apiserver": {"postgres": "service_healthy", AIRFLOW_INIT: "service_completed_successfully"},
    }
    for name in ("airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"):
        expected[name] = {**expected["airflow-apiserver"], "airflow-apiserver": "service_healthy"}
    for name, service in services().items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on in long form, with conditions"
        conditions = {target: spec["condition"] for target, spec in depends_on.items()}
        assert conditions == expected.get(name, {}), name
        for target, condition in conditions.items():
            if condition == "service_healthy":
                assert "healthcheck" in services()[target], f"{name} waits for {target}'s healthcheck"
            if condition == "service_completed_successfully":
                assert services()[target]["restart"] == "no", f"{target} is a one-shot"


def test_only_the_api_server_is_published_and_only_on_localhost() -> None:
    published = {name for name, service in services().items() if service.get("ports")}
    assert published == {"airflow-apiserver"}
    for name, service in services().items():
        assert service.get("network_mode") != "host", name
        for port in service.get("ports", []):
            for env in ({}, {"AIRFLOW_PORT": "9999"}):
                if isinstance(port, dict):
                    host_ip, target = expand(str(port.get("host_ip", "")), env), port["target"]
                else:
                    host_ip, _, target = expand(port, env).split(":")
                assert host_ip == "127.0.0.1", f"{name} publishes {port!r} beyond localhost"
                assert int(target) == 8080
    # The scheduler's health endpoint listens on the container's loopback only.
    scheduler_env = env_of(services()["airflow-scheduler"])
    assert scheduler_env["AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST"] == "127.0.0.1"


SECRET_KEY = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|_KEY$|_CONN$")
# A long run of key-ish characters with digits and letters: a pasted key, token or generated password.
KEY_LIKE = re.compile(r"[A-Za-z0-9+/=_-]{32,}")


def _looks_like_a_key(text: str) -> list[str]:
    return [t for t in KEY_LIKE.findall(text) if re.search(r"\d", t) and re.search(r"[A-Za-z]", t)]


def test_no_secret_is_written_into_the_file() -> None:
    secret_keys = set()
    for name, service in services().items():
        assert "env_file" not in service, f"{name}: each service gets only the secrets it names, not all of .env"
        for key, value in env_of(service).items():
            if not SECRET_KEY.search(key) or key.endswith(("_FILE", "_CMD", "_PATH")):
                continue
            secret_keys.add(key)
            parts = parse(value)
            if key.endswith("_CONN"):
                password = urlsplit(expand(value, {v.name: "\x00" for v in variables(parts)})).password
                assert password == "\x00", f"{name}: the password in {key} comes from .env"
            else:
                assert len(parts) == 1 and isinstance(parts[0], Var), f"{name}: {key} is exactly one ${{...}}"
                assert parts[0].modifier == ":?", f"{name}: {key} has no default"
    assert secret_keys >= {
        "POSTGRES_PASSWORD",
        "AIRFLOW_ADMIN_PASSWORD",
        "AIRFLOW__CORE__FERNET_KEY",
        "AIRFLOW__API__SECRET_KEY",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    }
    # Credentials in any URL come from .env; nothing key-like anywhere in the files, comments included.
    urls_with_passwords = 0
    for value in strings(compose()):
        from_env = expand(value, {v.name: "\x00" for v in variables(parse(value))})
        for password in re.findall(r"://[^/\s:@]+:([^@\s]*)@", from_env):
            assert password == "\x00", f"a password written into {value!r}"
            urls_with_passwords += 1
    assert urls_with_passwords
    for path in (COMPOSE_FILE, ROOT / ".env.example", ROOT / "Dockerfile"):
        assert not _looks_like_a_key(path.read_text(encoding="utf-8")), path.name
    # Least privilege: the admin password only reaches the service that writes the password file.
    holders = {name for name, service in services().items() if "AIRFLOW_ADMIN_PASSWORD" in env_of(service)}
    assert holders == {AIRFLOW_INIT}
    for name in CLI_SERVICES:
        assert not [k for k in env_of(services()[name]) if SECRET_KEY.search(k)], f"{name} needs no secret"


def test_volumes() -> None:
    declared = set(compose()["volumes"])
    for name, service in services().items():
        for volume in service.get("volumes", []):
            assert isinstance(volume, str), f"{name}: short volume syntax"
            source, _target, *mode = volume.split(":")
            if source.startswith((".", "/")):
                assert mode == ["ro"], f"{name}: host folders are mounted read-only ({volume})"
            else:
                assert source in declared, f"{name}: named volume {source} is declared"
    for name in AIRFLOW_SERVICES:
        service = services()[name]
        env = env_of(service)
        assert env["LINKINDEX_HOME"] == "/data/home" and env["LINKINDEX_LANDING"] == "/data/landing", name
        assert {HOME_VOLUME, LANDING_VOLUME} <= set(service["volumes"]), name
        assert f"airflow-logs:{env['AIRFLOW_HOME']}/logs" in service["volumes"], f"{name}: task logs shared"
    # The password file lives on a writable volume shared by its writer (init) and its reader (api-server).
    apiserver_env = env_of(services()["airflow-apiserver"])
    passwords = PurePosixPath(apiserver_env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    for name in (AIRFLOW_INIT, "airflow-apiserver"):
        assert f"airflow-auth:{passwords.parent}" in services()[name]["volumes"], name


def test_cli_services_run_real_cli_commands_outside_up() -> None:
    for name in CLI_SERVICES:
        service = services()[name]
        assert service["profiles"] == ["cli"], f"{name} runs with `docker compose run`, not `up`"
        assert "entrypoint" not in service, f"{name} keeps the image's linkindex ENTRYPOINT"
        assert service["command"][0] in main.commands, name
        assert "ports" not in service, f"{name} must not publish ports"
        assert env_of(service)["LINKINDEX_HOME"] == "/data/home"
        assert HOME_VOLUME in service["volumes"]
    assert LANDING_VOLUME in services()["ingest"]["volumes"]
    assert services()["ingest"]["command"] == ["ingest", "/data/landing"]


def _fake_airflow(tmp_path: Path, exit_code: int) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "airflow"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "$AIRFLOW_CALLS"\nexit {exit_code}\n', encoding="utf-8")
    fake.chmod(0o755)
    # `python` is this environment's (with the project installed, as in the image); `airflow` is the fake.
    path = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {
        "PATH": path,
        "AIRFLOW_CALLS": str(tmp_path / "calls"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(tmp_path / "auth" / "passwords.json"),
        "AIRFLOW_ADMIN_PASSWORD": "p\"w'$x\\y ü {}",
    }


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_init_script_migrates_sets_the_pool_and_writes_the_password_file(tmp_path: Path) -> None:
    env = _fake_airflow(tmp_path, exit_code=0)
    subprocess.run(["bash", "-c", init_script()], env=env, check=True, capture_output=True)
    calls = Path(env["AIRFLOW_CALLS"]).read_text(encoding="utf-8").splitlines()
    # The pool the DAGs' warehouse tasks use, with the slots the code asks for.
    pool_description = "linkindex: one build or publish at a time"
    assert calls == ["db migrate", f"pools set {WAREHOUSE_POOL} {WAREHOUSE_POOL_SLOTS} {pool_description}"]
    passwords = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    assert json.loads(passwords.read_text(encoding="utf-8")) == {"admin": env["AIRFLOW_ADMIN_PASSWORD"]}
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_init_script_stops_at_the_first_failure(tmp_path: Path) -> None:
    env = _fake_airflow(tmp_path, exit_code=1)
    result = subprocess.run(["bash", "-c", init_script()], env=env, check=False, capture_output=True)
    assert result.returncode != 0
    assert Path(env["AIRFLOW_CALLS"]).read_text(encoding="utf-8").splitlines() == ["db migrate"]
    assert not Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]).exists()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_pools_named_in_the_dags_are_created_by_init(tmp_path: Path) -> None:
    env = _fake_airflow(tmp_path, exit_code=0)
    subprocess.run(["bash", "-c", init_script()], env=env, check=True, capture_output=True)
    created = {"default_pool"} | {
        shlex.split(call)[2]
        for call in Path(env["AIRFLOW_CALLS"]).read_text(encoding="utf-8").splitlines()
        if call.startswith("pools set ")
    }
    assert WAREHOUSE_POOL in created
    for source in sorted([*(ROOT / "dags").glob("**/*.py"), ROOT / "pipelines" / "airflow_dags.py"]):
        if source.exists():
            for pool in re.findall(r"""\bpool\s*=\s*["']([^"']+)["']""", source.read_text(encoding="utf-8")):
                assert pool in created, f"{source.name} uses pool {pool!r}, which airflow-init does not create"


def test_dockerfile_installs_the_airflow_extra_from_the_lock_and_ships_the_dags() -> None:
    instructions = dockerfile_instructions()
    dockerfile = "\n".join(instructions)
    syncs = re.findall(r"uv sync[^&\n]*", dockerfile)
    assert syncs, "the image installs from uv.lock"
    for sync in syncs:
        # `uv sync` is exact: a sync without the extra would uninstall Airflow again.
        assert sync.startswith("uv sync --frozen --no-dev --extra airflow"), sync
    for folder in ("pipelines", "sql", "schemas", "dags"):
        assert f"COPY {folder} ./{folder}" in instructions
    assert "WORKDIR /app" in instructions  # so dags/ lands in /app/dags, the DAGS_FOLDER
    assert 'ENTRYPOINT ["linkindex"]' in instructions
    user = next(i for i in reversed(instructions) if i.startswith("USER "))
    assert user.split()[1] not in {"root", "0"}, "the services run unprivileged"
    airflow_home = env_of(services()["airflow-scheduler"])["AIRFLOW_HOME"]
    assert f"AIRFLOW_HOME={airflow_home}" in dockerfile
    for folder in (f"{airflow_home}/logs", f"{airflow_home}/auth", "/data/home"):
        assert folder in dockerfile, f"{folder} exists in the image, so its named volume gets the user's ownership"
    # Nothing the Dockerfile copies is excluded from the build context.
    excluded = {line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()}
    for instruction in instructions:
        if instruction.startswith("COPY "):
            for source in instruction.split()[1:-1]:
                assert source not in excluded, source
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["linkindex"] == "pipelines.cli:main"
    extra = pyproject["project"]["optional-dependencies"]["airflow"]
    assert "apache-airflow==3.3.2" in extra
    assert any(d.startswith("apache-airflow-providers-postgres") for d in extra)
    assert any(d.startswith("psycopg2") for d in extra)
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked = {p["name"]: p["version"] for p in lock["package"] if "version" in p}
    assert locked["apache-airflow"] == "3.3.2"
    assert "apache-airflow-providers-postgres" in locked and "psycopg2-binary" in locked


def test_dockerfile_builds_the_native_kernel_before_the_first_sync() -> None:
    """uv sync builds linkindex-watlinks (a path dependency, C) from native/: it must be in the context
    and a compiler in the stage that syncs; the runtime stage takes the built /app."""
    instructions = dockerfile_instructions()
    first_sync = next(i for i, line in enumerate(instructions) if "uv sync" in line)
    assert "COPY native ./native" in instructions[:first_sync]
    assert any("apt-get install" in line and " gcc" in line for line in instructions[:first_sync])
    assert "native" not in {line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()}
    stages = [i for i, line in enumerate(instructions) if line.startswith("FROM ")]
    assert len(stages) == 2 and "COPY --from=build /app /app" in instructions[stages[1]:]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["uv"]["sources"]["linkindex-watlinks"] == {"path": "native"}
