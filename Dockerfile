# Needfinder: one image for the bot (default command) and the dashboard (needfinder web).
#   docker build -t needfinder .
#   docker run --env-file .env -v needfinder-data:/data needfinder            # the bot, polling
#   docker run --env-file .env -v needfinder-data:/data -p 8000:8000 needfinder needfinder web
# compose.yaml runs both with PostgreSQL; README, "Running in production".

# Build stage: a wheel of the repository (a regular install, not editable), then its wheels.
FROM python:3.12-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
# Only what the package is made of (.dockerignore keeps everything else out of the context).
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY conversations ./conversations
COPY needfinder ./needfinder
COPY storage ./storage
RUN pip wheel --wheel-dir /wheels .

# Run stage: the wheels installed, no compiler, no sources, no pip cache (the wheels are
# mounted from the build stage, not copied into a layer: RUN --mount needs BuildKit, Docker's
# default builder since 23.0).
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels needfinder \
 && groupadd --system --gid 10001 needfinder \
 && useradd --system --uid 10001 --gid needfinder --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin needfinder \
 && mkdir -p /data \
 && chown needfinder:needfinder /data

# /data holds the SQLite database (when NEEDFINDER_DATABASE_URL is unset), the dashboard's
# secret key and backups: a volume, shared by the bot's and the dashboard's containers. In a
# container the dashboard listens on every interface (publish or proxy the port). The polling
# bot answers /healthz on NEEDFINDER_HEALTH_LISTEN (webhook mode: on NEEDFINDER_WEBHOOK_LISTEN);
# HEALTHCHECK_URL is what HEALTHCHECK asks, set per service in compose.yaml.
ENV NEEDFINDER_DATA_DIR=/data \
    NEEDFINDER_WEB_HOST=0.0.0.0 \
    NEEDFINDER_WEB_PORT=8000 \
    NEEDFINDER_HEALTH_LISTEN=127.0.0.1:8081 \
    HEALTHCHECK_URL=http://127.0.0.1:8081/healthz
VOLUME ["/data"]
WORKDIR /data
USER needfinder:needfinder
EXPOSE 8000 8443

# No curl in the slim image: Python asks /healthz (200 when the database answers, else 503).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as u; sys.exit(0 if u.urlopen(os.environ['HEALTHCHECK_URL'], timeout=8).status == 200 else 1)"]

CMD ["needfinder", "run"]
