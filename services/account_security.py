"""The security desk's records: card charges, suspicious-activity and fraud cases, account locks, password resets."""

from __future__ import annotations

from .clock import Clock
from .db import Database


class AccountSecurityService:
    """Security actions on the caller's own account."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
