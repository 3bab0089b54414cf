"""The interface of the call's line: what the desk needs from telephony to hand a caller to a person or hang up.

The desk runs on LiveKit: a phone caller is a SIP participant of the call's room, a web caller (the Agents
Playground) a WebRTC participant. The implementation on LiveKit (:class:`worker.phone_line.LiveKitPhoneLine`:
SIP REFER for a cold transfer, LiveKit's ``WarmTransferTask`` for a warm one, room deletion to hang up) is
built by the worker for each call and put on :attr:`call.context.CustomerContext.phone_line`; this leaf
module only fixes the interface and the transfer settings, so agents, tools and tests depend on nothing else
(tests use a fake of exactly this interface). Offline calls (tests, ``simulate``) have no line: ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol

E164 = re.compile(r"\+[1-9]\d{7,14}")
"""ITU-T E.164: a plus, a country code that does not start with 0, at most 15 digits in all (8 at least
here: shorter numbers are service codes, not a team's line)."""

TransferMode = Literal["cold", "warm"]
"""``cold``: the caller is sent to the number (SIP REFER), nobody is briefed. ``warm``: the desk calls the
person first, briefs them with the transfer summary, then connects the caller (LiveKit Cloud only)."""


class TransferUnavailableError(Exception):
    """The line cannot do this kind of transfer at all (a web caller, no outbound trunk for a warm
    transfer, no LiveKit job). Nothing was attempted; the caller is still connected to the desk."""


class TransferFailedError(Exception):
    """A transfer was attempted and did not connect the caller with a person (declined, no answer,
    voicemail, a SIP error). The caller is still connected to the desk."""


@dataclass(frozen=True)
class TransferTarget:
    """Where the human team answers, from settings (``HUMAN_TRANSFER_NUMBER``, ``HUMAN_TRANSFER_MODE``).

    Attributes:
        number: E.164 number of the human team, e.g. ``"+14155550100"`` (validated by the settings).
        mode: ``cold`` or ``warm`` (a warm transfer falls back to cold where it is not possible).
    """

    number: str
    mode: TransferMode = "cold"


def e164_problem(number: str) -> str | None:
    """Why ``number`` is not a dialable E.164 number, or ``None`` when it is.

    The strict form (:data:`E164`) always; with the ``phonenumbers`` library installed (Google's
    libphonenumber metadata), also a valid number for its country.

    Args:
        number: e.g. ``"+14155550100"``.

    Returns:
        One sentence, or ``None``.
    """
    if not E164.fullmatch(number):
        return "must be in E.164 form: a plus, the country code and the number, digits only (e.g. +14155550100)"
    try:
        import phonenumbers  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return "is not a phone number"
    if not phonenumbers.is_valid_number(parsed):
        return "is not a valid number for its country code"
    return None


class PhoneLine(Protocol):
    """The call's connection to the caller, as the desk uses it.

    Every method leaves the caller connected to the desk when it raises; the desk then apologises
    and carries on (never dead air).
    """

    @property
    def is_phone(self) -> bool:
        """True for a phone (SIP) caller; False for a web caller, who cannot be transferred by SIP."""
        ...

    async def transfer_cold(self, to: str) -> None:
        """Send the caller to ``to`` (SIP REFER); returns once the transfer is accepted.

        Args:
            to: E.164 number, e.g. ``"+14155550100"``.

        Raises:
            TransferUnavailableError: not a phone caller (nothing attempted).
            TransferFailedError: the transfer was refused or failed.
        """
        ...

    async def transfer_warm(self, to: str, briefing: str) -> None:
        """Call ``to``, brief the person who answers with ``briefing``, then connect the caller.

        Args:
            to: E.164 number of the human team.
            briefing: What the person is told before the caller joins (the redacted transfer summary).

        Raises:
            TransferUnavailableError: a warm transfer is not possible on this line (fall back to cold).
            TransferFailedError: the person declined, did not answer, or the call could not be merged.
        """
        ...

    async def hang_up(self) -> None:
        """End the call for everyone, after the goodbye has played (a no-op once the caller is bridged
        to a person by a warm transfer: the room then stays theirs)."""
        ...
