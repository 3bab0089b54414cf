"""``python -m worker COMMAND``: the desk's command line.

``start`` and ``dev`` run the worker through LiveKit's current entry, ``python -m livekit.agents start
worker/app.py [--dev]`` (the built-in ``cli.run_app`` is deprecated). ``console`` and ``connect`` have
no in-process replacement upstream (the LiveKit CLI's ``lk agent console`` drives ``python -m
livekit.agents console worker/app.py --connect-addr ...``), so without ``--connect-addr`` they run
LiveKit's deprecated in-process commands, and say so.

Settings are checked *before* livekit-agents is imported (:mod:`worker.preflight`): a missing URL or
key exits with status 2 and one clear line within about a second (livekit-agents alone would exit 0,
or retry for minutes).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .preflight import preflight
from .settings import Settings

APP = Path(__file__).with_name("app.py")
"""The file LiveKit's CLI imports to find the ``server`` (see :mod:`worker.app`)."""

COMMANDS: dict[str, str] = {
    "start": "run the worker in production: registers with LIVEKIT_URL, JSON logs, health check on :8081",
    "dev": "run the worker in development: colored logs, no load limit, no warm processes",
    "console": "talk to the desk from this terminal, no server (--text for typing; needs libportaudio2)",
    "connect": "join the desk to one existing room: --room NAME (debugging a room)",
    "simulate": "a whole offline call from WAV files or typed lines: no server, no keys (simulate -h)",
    "download-files": "check that the model files of the profile are installed and load (nothing downloads)",
}
"""Each command and its one line of help (``python -m worker --help``)."""

EPILOG = """\
start and dev run LiveKit's current entry: python -m livekit.agents start worker/app.py [--dev].
The LiveKit CLI works on the same file: lk agent console worker/app.py.
Settings come from the environment or .env (see .env.sample); a missing one exits 2 with one line.
"""

LEGACY_NOTE = (
    "worker: {command} runs LiveKit's in-process {command} (deprecated upstream, which has no in-process "
    "replacement; with the LiveKit CLI: lk agent console worker/app.py)"
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one sub-command per entry of :data:`COMMANDS`, listed one line each in ``--help``."""
    listing = "\n".join(f"  {name:<16}{text}" for name, text in COMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="python -m worker",
        description=f"The marketplace voice desk's worker.\n\ncommands:\n{listing}",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, help="one of the commands above")
    for name in ("start", "dev"):
        p = sub.add_parser(name, description=COMMANDS[name])
        p.add_argument("--log-level", help="LiveKit's log level (default: LOG_LEVEL)")
    console = sub.add_parser("console", description=COMMANDS["console"])
    console.add_argument("--text", action="store_true", help="type instead of speaking")
    console.add_argument("--record", action="store_true", help="record the session to console-recordings/")
    console.add_argument("--connect-addr", help="set by the LiveKit CLI (lk agent console): its audio channel")
    connect = sub.add_parser("connect", description=COMMANDS["connect"])
    connect.add_argument("--room", required=True, help="name of the room to join")
    connect.add_argument("--participant-identity", help="identity of the desk in the room")
    sub.add_parser("simulate", add_help=False)
    sub.add_parser("download-files", description=COMMANDS["download-files"])
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), check the settings, run the command.

    Returns:
        The exit status: 0 when the command ended normally, 2 for bad usage or settings, 1 when
        ``download-files`` found a model missing.
    """
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["simulate"]:
        from .offline.simulate import main as simulate_main

        return simulate_main(args[1:])
    ns = build_parser().parse_args(args)
    command: str = ns.command
    if command == "download-files":
        from .model_files import download_files

        return download_files(_settings_or_none())
    checked = preflight(command)
    if isinstance(checked, str):
        print(checked, file=sys.stderr)
        return 2
    settings = checked
    if command in ("start", "dev"):
        from .metrics import enable_multiprocess

        # Before livekit-agents (and prometheus_client) is imported: job processes' desk metrics reach /metrics.
        enable_multiprocess(settings)

    from agents.registry import check_registry

    from .logging_setup import configure_logging

    check_registry()
    configure_logging(settings.log_level, add_handler=False)
    if command in ("start", "dev"):
        return _livekit_entry(command, ns.log_level or settings.log_level)
    if command == "console" and ns.connect_addr:
        return _livekit_console(ns.connect_addr, record=ns.record)
    print(LEGACY_NOTE.format(command=command), file=sys.stderr)
    legacy = ["console", *(["--text"] if ns.text else []), *(["--record"] if ns.record else [])]
    if command == "connect":
        legacy = ["connect", "--room", ns.room]
        if ns.participant_identity:
            legacy += ["--participant-identity", ns.participant_identity]
    return _legacy_cli(legacy)


def _settings_or_none() -> Settings | None:
    """Settings for ``download-files``, which needs no key (``None`` if they do not parse)."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError:
        return None


def _livekit_entry(command: str, log_level: str) -> int:
    """``python -m livekit.agents start worker/app.py`` (``--dev`` for ``dev``), in this process."""
    from livekit.agents.__main__ import main as livekit_main

    argv = ["start", str(APP), "--log-level", log_level]
    argv += ["--dev", "--log-format", "colored"] if command == "dev" else ["--log-format", "json"]
    return livekit_main(argv)


def _livekit_console(connect_addr: str, *, record: bool) -> int:
    """``python -m livekit.agents console worker/app.py --connect-addr ADDR`` (driven by ``lk agent console``)."""
    from livekit.agents.__main__ import main as livekit_main

    return livekit_main(["console", str(APP), "--connect-addr", connect_addr, *(["--record"] if record else [])])


def _legacy_cli(argv: list[str]) -> int:
    """LiveKit's deprecated in-process CLI for ``console``/``connect`` (no current in-process equivalent),
    on the same server as ``start`` (:mod:`worker.app`, which registers the plugins on this thread)."""
    from livekit.agents import cli

    from .app import server

    sys.argv = [sys.argv[0], *argv]
    cli.run_app(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
