"""``python -m worker <command>``.

LiveKit commands: ``dev``, ``start``, ``console``, ``connect``, ``download-files`` (LiveKit's CLI).
Project commands: ``simulate`` (a whole offline call from WAV files or typed lines).

Settings are validated *before* livekit-agents is imported: a missing URL or key exits with
status 2 and one clear line within about a second (livekit-agents alone would exit 0, or retry
for minutes).
"""

from __future__ import annotations

import sys

from pydantic import ValidationError

from .settings import Settings

USAGE = "usage: python -m worker {dev|start|console|connect|download-files|simulate} [options]"


def main(argv: list[str] | None = None) -> int:
    """Validate settings for the command, then hand over to LiveKit's CLI or to ``simulate``."""
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else ""
    if command in ("", "-h", "--help"):
        print(USAGE)
        return 0 if command else 2
    if command == "simulate":
        from .offline.simulate import main as simulate_main

        return simulate_main(args[1:])
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"worker: invalid setting {'.'.join(map(str, first['loc'])).upper()}: {first['msg']}", file=sys.stderr)
        return 2
    problems = settings.problems(command)
    if problems:
        print(f"worker: cannot {command}: " + "; ".join(problems) + " (see .env.sample)", file=sys.stderr)
        return 2
    from livekit.agents import cli

    from agents.registry import check_registry

    from .logging_setup import configure_logging
    from .server import build_server

    check_registry()
    configure_logging(settings.log_level, add_handler=False)
    sys.argv = [sys.argv[0], *args]
    cli.run_app(build_server(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
