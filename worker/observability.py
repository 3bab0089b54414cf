"""One call's observability, attached in one place: report end state, desk metrics, log fields.

The live entrypoint and ``simulate`` call :func:`observe_call` right after building the session; the
report itself is built at the end with :func:`worker.report.build_report`.
"""

from __future__ import annotations

from livekit.agents import AgentSession

from call.context import CustomerContext

from .logging_setup import bind_call_log_context
from .metrics import attach_metrics
from .report import track_call_end


def observe_call(session: AgentSession[CustomerContext]) -> None:
    """Attach everything observability needs to a new session (before it starts).

    * :func:`worker.report.track_call_end`: how the call ended, for the report;
    * :func:`worker.metrics.attach_metrics`: the desk's Prometheus metrics;
    * :func:`worker.logging_setup.bind_call_log_context`: ``agent``, ``turn`` and ``call_id`` on every
      log line of the call. It binds a context variable, so call this in the task that starts the session
      (the job entrypoint): the session's tasks inherit it.

    Args:
        session: The call's session, not started yet; its userdata is a :class:`CustomerContext`.
    """
    track_call_end(session)
    attach_metrics(session)
    bind_call_log_context(session)
