"""A fake of exactly :class:`call.phone_line.PhoneLine` (no LiveKit server, no SIP trunk here).

It records every call in order and fails on demand, so tests can assert what the desk asked of the
line: ``("cold", number)``, ``("warm", number, briefing)``, ``("hang_up",)``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from call.phone_line import PhoneLine, TransferTarget

NUMBER = "+14155550100"
"""The human team's number in these tests."""


@dataclass
class FakePhoneLine:
    """The call's line. ``cold_error`` / ``warm_error``: raised by that transfer (after it is recorded)."""

    phone: bool = True
    cold_error: BaseException | None = None
    warm_error: BaseException | None = None
    calls: list[tuple[str, ...]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    """``time.monotonic()`` of each call, in step with :attr:`calls`."""

    @property
    def is_phone(self) -> bool:
        return self.phone

    async def transfer_cold(self, to: str) -> None:
        self.calls.append(("cold", to))
        self.times.append(time.monotonic())
        if self.cold_error is not None:
            raise self.cold_error

    async def transfer_warm(self, to: str, briefing: str) -> None:
        self.calls.append(("warm", to, briefing))
        self.times.append(time.monotonic())
        if self.warm_error is not None:
            raise self.warm_error

    async def hang_up(self) -> None:
        self.calls.append(("hang_up",))
        self.times.append(time.monotonic())

    def kinds(self) -> list[str]:
        """What was asked of the line, in order: ``["cold", "hang_up"]``."""
        return [c[0] for c in self.calls]


def _typed(line: FakePhoneLine) -> PhoneLine:
    return line  # mypy: the fake has exactly the protocol's shape


def target(mode: str = "cold") -> TransferTarget:
    """The human team's number, in ``mode``."""
    assert mode in ("cold", "warm")
    return TransferTarget(NUMBER, "warm" if mode == "warm" else "cold")
