"""Logging: one named logger tree (``marketplace.*``), caller PII redacted from every record.

Where the :class:`~call.redaction.RedactingFilter` goes, and why there:

* **On every handler of the root logger**, including handlers added *after* this runs. LiveKit's
  CLI (``cli.run_app`` -> ``livekit.agents.cli.log.setup_logging``) adds its own stdout handler to
  the root logger after :func:`configure_logging` has run in ``worker.__main__``; a job process adds
  its ``LogQueueHandler`` and, with LiveKit Cloud, an OTLP handler. The root logger's handler list
  is replaced by one that attaches the filter to each handler appended to it. A handler filter is
  the only place every record passes: records of child loggers (``livekit.agents.voice``,
  ``livekit.plugins.*``, ``marketplace.tools.auth``) never run their ancestors' logger filters, and
  the records a job process forwards to the main process go straight to ``callHandlers``.
* **Last among the handler's filters**, so that fields other filters add (LiveKit's job context
  fields such as the room name, which can hold a caller's number) are redacted too.
* **On the handlers of the ``livekit``, ``livekit.agents`` and ``marketplace`` loggers** (same
  mechanism), and as a **logger filter** on them, so a record logged there is clean before any
  handler sees it.
* The handlers' formatters also redact the exceptions they render themselves (LiveKit's JSON
  formatter renders ``exc_info`` again instead of using ``exc_text``).

**Call fields on every line.** Each guarded handler also gets a :class:`CallContextFilter` (before the
redacting filter) that adds ``agent`` (the agent speaking now), ``turn`` (caller turns so far) and
``call_id`` to every record logged while a call is bound with :func:`bind_call_log_context`. LiveKit's
job context adds ``room`` and ``job_id`` the same way (``ctx.log_context_fields``). In ``start`` mode
LiveKit's JSON formatter prints every such field; in a job process the fields are set before the record
is forwarded to the main process, which prints them.
"""

from __future__ import annotations

import contextvars
import logging
import weakref
from collections.abc import Callable, Iterable
from typing import Any, Protocol, SupportsIndex

from call.redaction import RedactingFilter, is_pii_key, redact_traceback

GUARDED_LOGGERS: tuple[str, ...] = ("livekit", "livekit.agents", "marketplace")
"""Loggers that get the filter as a logger filter and on their own handlers (besides the root)."""

_FILTER = RedactingFilter()

CALL_FIELDS: tuple[str, ...] = ("agent", "turn", "call_id")
"""Fields :class:`CallContextFilter` adds to each record of a bound call."""


class CallState(Protocol):
    """What the call fields are read from (a :class:`~call.context.CustomerContext`)."""

    current_agent: str
    user_turns: int
    call_id: str


class _HasUserdata(Protocol):
    @property
    def userdata(self) -> Any: ...


_CURRENT_CALL: contextvars.ContextVar[CallState | None] = contextvars.ContextVar("marketplace_call", default=None)
_BOUND_CALLS: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
"""Calls bound in this process, by ``id`` (the userdata is a dataclass, not hashable)."""


def bind_call_log_context(session: _HasUserdata) -> None:
    """Put the call's ``agent``, ``turn`` and ``call_id`` on every log record logged for this call.

    Call it in the job's entrypoint task before the session starts: the binding is a context variable,
    inherited by every task the session creates afterwards. A record logged where the context variable
    is not set (a thread, a task created earlier) gets the fields of the process's only bound call, if
    exactly one is alive (one call per job process, LiveKit's default). Values are read when the record
    is logged, so they follow handoffs and turns.

    Args:
        session: The call's ``AgentSession``; its userdata has ``current_agent``, ``user_turns`` and
            ``call_id`` (:class:`~call.context.CustomerContext`).
    """
    state: CallState = session.userdata
    _CURRENT_CALL.set(state)
    _BOUND_CALLS[id(state)] = state


class CallContextFilter(logging.Filter):
    """Adds :data:`CALL_FIELDS` of the bound call to a record (fields already on the record are kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the fields; never drops a record, never raises."""
        try:
            state = _CURRENT_CALL.get()
            if state is None:
                alive = list(_BOUND_CALLS.values())
                state = alive[0] if len(alive) == 1 else None
            if state is not None:
                for key, value in (
                    ("agent", state.current_agent),
                    ("turn", state.user_turns),
                    ("call_id", state.call_id),
                ):
                    if not hasattr(record, key):
                        setattr(record, key, value)
        except Exception:  # a log line is never lost to its decoration
            pass
        return True


_CALL_FILTER = CallContextFilter()


def _has_redaction(filters: Iterable[Any]) -> bool:
    return any(isinstance(f, RedactingFilter) for f in filters)


class _RedactLastFilters(list[Any]):
    """A handler's filter list that keeps the redacting filter after every filter added later."""

    def append(self, item: Any, /) -> None:
        """Add ``item`` before the redacting filter (or at the end if it is the redacting filter)."""
        if isinstance(item, RedactingFilter):
            super().append(item)
            return
        for index, existing in enumerate(self):
            if isinstance(existing, RedactingFilter):
                super().insert(index, item)
                return
        super().append(item)


def _wrap_format_exception(formatter: logging.Formatter) -> None:
    """Make ``formatter.formatException`` redact what it renders (idempotent)."""
    original: Callable[[Any], str] = formatter.formatException
    if getattr(original, "_redacts", False):
        return

    def format_exception(ei: Any) -> str:
        return redact_traceback(original(ei))

    format_exception._redacts = True  # type: ignore[attr-defined]
    formatter.formatException = format_exception  # type: ignore[method-assign]


def _redact_rendered_exceptions(handler: logging.Handler) -> None:
    """Make the formatter ``handler`` uses at each record redact the exceptions it renders (idempotent).

    Checked at format time, because a formatter may be set after the handler was added (LiveKit's
    legacy CLI adds its stdout handler, then sets its JSON formatter).
    """
    original: Callable[[logging.LogRecord], str] = handler.format
    if getattr(original, "_redacts", False):
        return

    def format_record(record: logging.LogRecord) -> str:
        if handler.formatter is not None:
            _wrap_format_exception(handler.formatter)
        return original(record)

    format_record._redacts = True  # type: ignore[attr-defined]
    handler.format = format_record  # type: ignore[method-assign]


def guard_handler(handler: logging.Handler) -> None:
    """Attach the redacting filter to ``handler`` (idempotent), as its last filter, and the call fields.

    Args:
        handler: Any handler; the formatter it uses also redacts the exceptions it renders itself. It also
            gets the :class:`CallContextFilter` (before the redacting filter).
    """
    if not isinstance(handler.filters, _RedactLastFilters):
        handler.filters = _RedactLastFilters(f for f in handler.filters if not isinstance(f, RedactingFilter))
        handler.filters.append(_FILTER)
    elif not _has_redaction(handler.filters):
        handler.filters.append(_FILTER)
    if not any(isinstance(f, CallContextFilter) for f in handler.filters):
        handler.filters.append(_CALL_FILTER)
    _redact_rendered_exceptions(handler)


class _GuardedHandlers(list[logging.Handler]):
    """A logger's handler list that guards every handler added to it (``Logger.addHandler`` appends)."""

    def append(self, handler: logging.Handler, /) -> None:
        """Guard, then add."""
        guard_handler(handler)
        super().append(handler)

    def insert(self, index: SupportsIndex, handler: logging.Handler, /) -> None:
        """Guard, then insert."""
        guard_handler(handler)
        super().insert(index, handler)

    def extend(self, handlers: Iterable[logging.Handler], /) -> None:
        """Guard each, then add them."""
        for handler in handlers:
            self.append(handler)


def guard_logger(logger: logging.Logger) -> None:
    """Guard every handler of ``logger``, now and whenever one is added later (idempotent).

    Args:
        logger: Typically the root logger.
    """
    if not isinstance(logger.handlers, _GuardedHandlers):
        guarded = _GuardedHandlers()
        guarded.extend(logger.handlers)
        logger.handlers = guarded
    else:
        for handler in logger.handlers:
            guard_handler(handler)


def configure_logging(level: str, *, add_handler: bool = True) -> None:
    """Set the project's log level and install the PII-redacting filter everywhere a record passes.

    Rules: the ``marketplace`` logger gets ``level``; if the root logger has no handler yet, a
    stderr handler is added (``logging.basicConfig``); the root logger and
    :data:`GUARDED_LOGGERS` are guarded (every present and future handler filtered, see the module
    docstring), and the :data:`GUARDED_LOGGERS` get the filter as a logger filter too. Safe to call
    more than once (in the main process and again in each job process).

    Args:
        level: A logging level name, e.g. ``"INFO"`` or ``"DEBUG"``.
        add_handler: Add a stderr handler when the root has none. ``False`` before LiveKit's CLI,
            which adds its own handler (the guard filters it as it is added): no line printed twice.
    """
    logging.getLogger("marketplace").setLevel(level)
    root = logging.getLogger()
    if add_handler and not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    guard_logger(root)
    for name in GUARDED_LOGGERS:
        logger = logging.getLogger(name)
        guard_logger(logger)
        if not _has_redaction(logger.filters):
            logger.addFilter(_FILTER)
    if logging.lastResort is not None:
        guard_handler(logging.lastResort)
    is_pii_key("lk.pii.user_input")  # import LiveKit's PII-key rule now, not while handling a record
