# CIBER Q CODE behind gunicorn; every setting comes from CIBERQ_* variables.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system ciberq \
    && useradd --system --gid ciberq --home-dir /app --shell /usr/sbin/nologin ciberq \
    && mkdir /data \
    && chown ciberq:ciberq /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY dashboard ./dashboard
RUN pip install --no-cache-dir .

# /data holds the secret key, and the embedded Redis when no CIBERQ_REDIS_URL is set
ENV CIBERQ_DATA_DIR=/data \
    CIBERQ_HOST=0.0.0.0
VOLUME ["/data"]
USER ciberq
EXPOSE 8000

# the slim image has no curl; urlopen raises on a refused connection or an error status
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]

# ciberq serve runs gunicorn with the service's hooks: queued scans are flushed
# when a worker stops, and the workers share their metrics through /data/metrics
CMD ["ciberq", "serve", "--host", "0.0.0.0", "--port", "8000"]
