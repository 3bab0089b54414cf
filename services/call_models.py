"""The table of saved call state: what a dropped call needs to be resumed, keyed by a digest of the caller.

Service: :mod:`services.calls` (``CallStateService``). The raw caller key (a phone number, a LiveKit
participant identity) is never stored: only a salted HMAC of it (:func:`services.security.digest_secret`),
so the table cannot be searched by phone number without the deployment's salt. The state itself holds
no personal data beyond the customer id (its keys are fixed: :data:`services.calls.STATE_KEYS`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class SavedCall(Base):
    """The latest resumable state of one call (one row per call, upserted while the call runs)."""

    __tablename__ = "saved_calls"
    __table_args__ = (Index("ix_saved_calls_caller_status", "caller_digest", "status"),)

    call_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    """The call's own id (``CustomerContext.call_id``, 12 hex characters)."""
    caller_digest: Mapped[str] = mapped_column(String(64))
    """HMAC-SHA256 of the caller key (``"phone:+14155550134"``, ``"web:<identity>"``) under the salt."""
    status: Mapped[str] = mapped_column(String(12), default="active")
    """``active`` (the call runs), ``dropped`` (ended without a goodbye: resumable), ``closed`` (ended
    normally, or the caller declined to resume it) or ``resumed`` (a later call took it over)."""
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The snapshot (:mod:`call.snapshot`); emptied once the call is closed or resumed."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    resumed_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """The call id of the call that resumed this one."""
