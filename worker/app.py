"""The worker's ``AgentServer`` as a module attribute, for LiveKit's current CLI entry.

LiveKit Agents 1.8 runs a server with ``python -m livekit.agents start FILE [--dev]`` (and the
LiveKit CLI's ``lk agent console FILE``, which runs ``python -m livekit.agents console FILE
--connect-addr ...``): it imports FILE and takes its ``server``. ``python -m worker start|dev`` goes
through exactly that entry with this file, after checking the settings; ``cli.run_app`` (the
built-in Python CLI) is deprecated.

Imported by LiveKit's CLI directly, it does what ``python -m worker`` does first: a missing key
prints one line and exits 2 (instead of LiveKit's exit 0, or minutes of retries), the log redaction
is installed and the agent registry checked. Imported any other way (by ``python -m worker``, which
has done that already, or by a test) it only builds the server.
"""

from __future__ import annotations

import importlib
import sys

from agents.registry import check_registry

from .logging_setup import configure_logging
from .preflight import preflight
from .server import build_server
from .settings import Settings

PLUGINS = ("livekit.plugins.silero", "livekit.plugins.openai", "livekit.plugins.deepgram", "livekit.plugins.elevenlabs")
"""The LiveKit plugins the profiles use (all are dependencies of the project)."""


def register_plugins() -> None:
    """Import the plugins now, on the main thread, before the server starts.

    LiveKit registers a plugin when it is imported and refuses from any other thread: ``console`` runs
    the job (and its prewarm, which loads Silero) in a thread, which crashed with "Plugins must be
    registered on the main thread". Registered before the server starts, the plugins are also
    imported once in the forkserver and shared by every job process (LiveKit's "preloading plugins").
    """
    for name in PLUGINS:
        importlib.import_module(name)


def _livekit_cli_command() -> str | None:
    """The command when LiveKit's CLI (``python -m livekit.agents``) is importing this file, else ``None``."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if spec is None or spec.name != "livekit.agents.__main__":
        return None
    args = sys.argv[1:]
    if args[:1] == ["console"]:
        return "console"
    return "dev" if "--dev" in args else "start"


def _settings() -> Settings:
    command = _livekit_cli_command()
    if command is None:
        return Settings()
    checked = preflight(command)
    if isinstance(checked, str):
        print(checked, file=sys.stderr)
        raise SystemExit(2)
    # What python -m worker does before handing over: the redacting filter is in place before LiveKit
    # adds its log handler, and a broken agent graph stops the worker now rather than mid-call.
    configure_logging(checked.log_level, add_handler=False)
    check_registry()
    return checked


register_plugins()
server = build_server(_settings())
"""The server LiveKit's CLI discovers (``server`` is the first name it looks for)."""
