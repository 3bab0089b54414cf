"""Scale-out: the ``AgentServer`` options a deployment tunes (``LOAD_THRESHOLD``, ``NUM_IDLE_PROCESSES``,
``JOB_MEMORY_LIMIT_MB``, ``INITIALIZE_PROCESS_TIMEOUT_S``).

Several worker replicas register with one LiveKit server (or Cloud project) under the same
``AGENT_NAME``; LiveKit dispatches each new call to a replica that reports itself available, and a
replica stops taking calls when its load (by default the CPU moving average, 0-1) is above
``load_threshold``. Each call runs in its own process; ``num_idle_processes`` processes are kept
warm (prewarmed: VAD loaded) so a call does not wait for one; a process above
``job_memory_limit_mb`` (proportional set size) is killed. Calls share nothing in memory: the
database (PostgreSQL for several replicas) holds all call state.

Measured figures (memory per process, CPU per call, calls per core): ``benchmarks/load_test.py``
and the README.
"""

from __future__ import annotations

from typing import Any

from .settings import Settings

LOCAL_INITIALIZE_TIMEOUT_S = 60.0
"""Prewarm allowance of the ``local`` profile, whose prewarm loads Whisper and Piper: 5.6 s per process
on an idle 2-core machine, 6.8–7.1 s with the load average at 3.5, and two of four processes killed
at LiveKit's 10 s default (``python -m worker start``, measured here). The cloud profile only loads
Silero VAD and keeps LiveKit's default."""


PRELOAD_MODULES = ("worker.server",)
"""Imported once in LiveKit's forkserver and shared by every job process (copy-on-write) instead of
imported by each: the desk's agents, tools, services and SQLAlchemy. Measured here (3 warm processes,
``python -m worker start``'s server): private memory (USS) of an idle job process 71 MB → 32 MB, and
in the load test's calls 103 MB → 78 MB, with no change in CPU or latency (README, load test)."""


def server_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``AgentServer(...)`` from the deploy settings.

    Only what is set is passed, so LiveKit's own defaults (which differ between ``dev`` and
    ``start``: e.g. no load limit and no idle processes in development) apply otherwise; the desk's
    modules are always preloaded (:data:`PRELOAD_MODULES`).

    Args:
        settings: ``LOAD_THRESHOLD``, ``NUM_IDLE_PROCESSES``, ``JOB_MEMORY_LIMIT_MB``,
            ``INITIALIZE_PROCESS_TIMEOUT_S`` and ``PROVIDER_PROFILE`` are read.

    Returns:
        A dict with ``preload_modules`` and any of ``load_threshold`` (0-1), ``num_idle_processes`` (count),
        ``job_memory_limit_mb`` (MB, PSS) and ``initialize_process_timeout`` (seconds; for the local
        profile :data:`LOCAL_INITIALIZE_TIMEOUT_S` unless set).
    """
    options: dict[str, Any] = {"preload_modules": list(PRELOAD_MODULES)}
    if settings.load_threshold is not None:
        options["load_threshold"] = settings.load_threshold
    if settings.num_idle_processes is not None:
        options["num_idle_processes"] = settings.num_idle_processes
    if settings.job_memory_limit_mb > 0:
        options["job_memory_limit_mb"] = settings.job_memory_limit_mb
    if settings.initialize_process_timeout_s is not None:
        options["initialize_process_timeout"] = settings.initialize_process_timeout_s
    elif settings.provider_profile == "local":
        options["initialize_process_timeout"] = LOCAL_INITIALIZE_TIMEOUT_S
    return options
