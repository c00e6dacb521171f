# linkindex runtime image: the CLI and the Airflow DAGs with their locked dependencies (the `airflow` extra:
# Airflow 3 and the Postgres driver), no dev tools. ENTRYPOINT is the CLI; the Airflow services in
# docker-compose.yml override it with `airflow`.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy \
    LINKINDEX_HOME=/data/home LINKINDEX_LANDING=/data/landing AIRFLOW_HOME=/opt/airflow \
    PATH="/app/.venv/bin:$PATH"
RUN pip install --no-cache-dir uv==0.13.8 && useradd --create-home --uid 10001 linkindex
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
# Every sync names the extra: `uv sync` removes whatever the command line does not ask for.
RUN uv sync --frozen --no-dev --extra airflow --no-install-project --no-cache
COPY pipelines ./pipelines
COPY sql ./sql
COPY schemas ./schemas
COPY dags ./dags
# The named volumes mounted on these folders start out with the image's ownership, so the unprivileged user
# can write the home, Airflow's logs and the auth manager's password file.
RUN uv sync --frozen --no-dev --extra airflow --no-cache \
    && mkdir -p /data/home /data/landing /opt/airflow/logs /opt/airflow/auth \
    && chown -R linkindex /data /opt/airflow
USER linkindex
ENTRYPOINT ["linkindex"]
CMD ["--help"]
