"""Logging: one named logger tree (``marketplace.*``), caller PII redacted from every record."""

from __future__ import annotations

import logging

from call.redaction import RedactingFilter


def configure_logging(level: str) -> None:
    """Install the PII-redacting filter on the root handlers and set the project's log level."""
    logging.getLogger("marketplace").setLevel(level)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
