# linkindex runtime image: the CLI with its locked dependencies, no dev tools.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy \
    LINKINDEX_HOME=/data/home PATH="/app/.venv/bin:$PATH"
RUN pip install --no-cache-dir uv==0.13.8 && useradd --create-home --uid 10001 linkindex
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY pipelines ./pipelines
COPY sql ./sql
COPY schemas ./schemas
RUN uv sync --frozen --no-dev && mkdir -p /data/home /data/landing && chown -R linkindex /data
USER linkindex
ENTRYPOINT ["linkindex"]
CMD ["--help"]
