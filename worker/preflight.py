"""Settings checked before LiveKit starts, without importing livekit-agents (about a second faster).

LiveKit alone exits 0 when ``LIVEKIT_URL`` is unset and retries an unreachable server for minutes,
so a supervisor cannot tell a broken deployment from a stopped one. :func:`preflight` names the
first problem in one line; ``python -m worker`` prints it and exits 2, and ``worker/app.py`` does
the same when LiveKit's own CLI (``python -m livekit.agents`` / ``lk agent``) imports it.
"""

from __future__ import annotations

import importlib.util
from urllib.parse import urlparse

from pydantic import ValidationError

from .settings import Settings

NOISE_CANCELLATION_MODULE = "livekit.plugins.noise_cancellation"
"""The LiveKit Cloud noise-cancellation plugin (``pip install livekit-plugins-noise-cancellation``)."""

CLOUD_HOST_SUFFIX = ".livekit.cloud"
"""Host suffix of LiveKit Cloud project URLs (``wss://<project>.livekit.cloud``)."""


def on_livekit_cloud(url: str | None) -> bool:
    """Whether ``url`` (``LIVEKIT_URL``) points at a LiveKit Cloud project."""
    host = urlparse(url or "").hostname or ""
    return host.endswith(CLOUD_HOST_SUFFIX)


def noise_plugin_installed() -> bool:
    """Whether ``livekit-plugins-noise-cancellation`` is importable (checked without importing it)."""
    try:
        return importlib.util.find_spec(NOISE_CANCELLATION_MODULE) is not None
    except ImportError:
        return False


def noise_cancellation_problem(settings: Settings) -> str | None:
    """Why ``NOISE_CANCELLATION=bvc`` cannot work with these settings, in one sentence; ``None`` when it
    can or is off. A desk is never started without the cancellation its operator asked for."""
    if settings.noise_cancellation == "off":
        return None
    if not on_livekit_cloud(settings.livekit_url):
        return "NOISE_CANCELLATION=bvc needs LiveKit Cloud (LIVEKIT_URL wss://<project>.livekit.cloud); set it to off"
    if not noise_plugin_installed():
        return "NOISE_CANCELLATION=bvc needs the package livekit-plugins-noise-cancellation (pip install it)"
    return None


def preflight(command: str) -> Settings | str:
    """Read and check the settings for ``command``.

    Args:
        command: ``start``, ``dev``, ``console``, ``connect`` (see ``Settings.problems``).

    Returns:
        The settings, or one line saying what is wrong (``worker: ...``), to print before exiting 2.
    """
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        return f"worker: invalid setting {'.'.join(map(str, first['loc'])).upper()}: {first['msg']}"
    problems = settings.problems(command)
    if command in ("start", "dev", "connect") and (noise := noise_cancellation_problem(settings)):
        problems.append(noise)
    if problems:
        return f"worker: cannot {command}: " + "; ".join(problems) + " (see .env.sample)"
    return settings
