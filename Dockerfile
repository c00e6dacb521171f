# linkindex runtime image: the CLI and the Airflow DAGs with their locked dependencies (the `airflow` extra:
# Airflow 3 and the Postgres driver), no dev tools. ENTRYPOINT is the CLI; the Airflow services in
# docker-compose.yml override it with `airflow`.

# Build stage: the environment, with a C compiler for the project's own kernel (native/); the runtime image
# receives the finished /app without the compiler.
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/* && pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY native ./native
# Every sync names the extra: `uv sync` removes whatever the command line does not ask for.
RUN uv sync --frozen --no-dev --extra airflow --no-install-project --no-cache
COPY pipelines ./pipelines
COPY sql ./sql
COPY schemas ./schemas
COPY dags ./dags
RUN uv sync --frozen --no-dev --extra airflow --no-cache

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    LINKINDEX_HOME=/data/home LINKINDEX_LANDING=/data/landing AIRFLOW_HOME=/opt/airflow \
    PATH="/app/.venv/bin:$PATH"
RUN useradd --create-home --uid 10001 linkindex
WORKDIR /app
COPY --from=build /app /app
# The named volumes mounted on these folders start out with the image's ownership, so the unprivileged user
# can write the home, Airflow's logs and the auth manager's password file.
RUN mkdir -p /data/home /data/landing /opt/airflow/logs /opt/airflow/auth \
    && chown -R linkindex /data /opt/airflow
USER linkindex
ENTRYPOINT ["linkindex"]
CMD ["--help"]
