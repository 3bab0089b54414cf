"""The call's line on LiveKit: SIP transfers to a person and hanging up (:class:`call.phone_line.PhoneLine`).

* **cold transfer**: ``JobContext.transfer_sip_participant(identity, "tel:+1…", play_dialtone=False)``, a SIP
  REFER: the caller's call is handed to the team's number by the SIP provider and leaves the room. The SIP
  trunk must allow transfers (LiveKit: "Make sure you have enabled call transfer on your provider SIP trunk").
* **warm transfer**: LiveKit's ``livekit.agents.beta.workflows.WarmTransferTask``. It puts the caller on hold
  (hold music), dials the team through an outbound SIP trunk into a side room, lets a model brief the person
  who answers with our redacted briefing, and when they agree moves them into the caller's room with
  ``RoomService.MoveParticipant`` — which LiveKit Cloud provides (not the open-source server). It is an
  ``AgentTask``: it runs as the session's agent and may only be awaited from an agent's ``on_enter`` or a
  tool. Where it is not possible (no outbound trunk, no job) :class:`~call.phone_line.TransferUnavailableError`
  is raised; when it fails (no answer within the ringing timeout, declined, voicemail)
  :class:`~call.phone_line.TransferFailedError`; the human agent then falls back to a cold transfer.
* **hang-up**: ``JobContext.delete_room()``, after the goodbye has played: it disconnects every participant (a
  SIP caller's call ends) and the job ends with the room. After a warm transfer the room belongs to the caller
  and the person: hanging up then does nothing (LiveKit's task deletes the room when one of them leaves).

Web callers (the Agents Playground) have the same line object: ``is_phone`` is false, transfers raise
:class:`~call.phone_line.TransferUnavailableError`, hang-up deletes the room.

The worker builds one per call and puts it on the session userdata::

    userdata.phone_line = LiveKitPhoneLine.for_participant(ctx, participant, settings)
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, Protocol

from livekit import rtc

from call.phone_line import TransferFailedError, TransferUnavailableError

from .settings import Settings

logger = logging.getLogger("marketplace.worker.phone_line")

BRIEFING_INSTRUCTIONS = """\
You are the automated assistant of the Marketplace help desk. You have called a colleague of the human \
support team to hand over a caller who is on hold. You are speaking with the colleague, not with the caller.

Brief the colleague in two or three short sentences, using only these facts:
{briefing}

Answer their questions from these facts only; if they ask for something not in them, say you don't have it. \
Never read out digits of cards, Social Security numbers, dates of birth or addresses.
When the colleague agrees to take the call, call connect_to_caller. If they decline, call decline_transfer. \
If you reach voicemail, call voicemail_detected.
"""
"""Instructions of LiveKit's warm-transfer model (it talks to the person, never to the caller). Our own, so the
person hears the redacted transfer summary, not the raw conversation LiveKit's default instructions would include."""


class JobLine(Protocol):
    """What the line uses of LiveKit's ``JobContext`` (tests pass a fake of exactly this)."""

    @property
    def room(self) -> rtc.Room:
        """The call's room (its name goes in the logs)."""
        ...

    def transfer_sip_participant(
        self, participant: str, transfer_to: str, play_dialtone: bool = False
    ) -> Awaitable[Any]:
        """SIP REFER of ``participant`` (identity) to ``transfer_to`` (``tel:+1…``)."""
        ...

    def delete_room(self) -> Awaitable[Any]:
        """Delete the call's room, disconnecting everyone."""
        ...


class LiveKitPhoneLine:
    """The line of one LiveKit call (see the module docstring).

    Args:
        job: The job context (or a fake of :class:`JobLine`).
        identity: The caller's participant identity.
        is_phone: The caller is a SIP participant.
        outbound_trunk_id: Outbound SIP trunk a warm transfer dials through (``LIVEKIT_SIP_OUTBOUND_TRUNK``);
            ``None``: warm transfers are not possible.
        ringing_timeout_s: Seconds a warm transfer lets the team's phone ring.
    """

    def __init__(
        self,
        job: JobLine,
        *,
        identity: str,
        is_phone: bool,
        outbound_trunk_id: str | None = None,
        ringing_timeout_s: float = 30.0,
    ) -> None:
        self._job = job
        self._identity = identity
        self._is_phone = is_phone
        self._trunk = outbound_trunk_id
        self._ringing_timeout_s = ringing_timeout_s
        self._bridged = False

    @classmethod
    def for_participant(cls, job: JobLine, participant: rtc.RemoteParticipant, settings: Settings) -> LiveKitPhoneLine:
        """The line of ``participant`` (the caller), configured from ``settings``."""
        return cls(
            job,
            identity=participant.identity,
            is_phone=participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP,
            outbound_trunk_id=settings.livekit_sip_outbound_trunk,
            ringing_timeout_s=settings.warm_transfer_ringing_timeout_s,
        )

    @property
    def is_phone(self) -> bool:
        """True for a SIP caller."""
        return self._is_phone

    @property
    def bridged(self) -> bool:
        """A warm transfer connected the caller with a person (the room is theirs now)."""
        return self._bridged

    async def transfer_cold(self, to: str) -> None:
        """SIP REFER of the caller to ``to`` (E.164), without a dial tone; returns once LiveKit accepted it.

        Raises:
            TransferUnavailableError: a web caller.
            TransferFailedError: LiveKit or the SIP provider refused or failed the transfer.
        """
        if not self._is_phone:
            raise TransferUnavailableError("a web caller cannot be transferred by SIP")
        logger.info("cold transfer of the caller in room %s", self._job.room.name)
        try:
            await self._job.transfer_sip_participant(self._identity, f"tel:{to}", play_dialtone=False)
        except Exception as exc:  # TwirpError from the API, or the SIP service's error
            raise TransferFailedError(f"SIP transfer failed ({type(exc).__name__})") from exc

    async def transfer_warm(self, to: str, briefing: str) -> None:
        """LiveKit's ``WarmTransferTask`` to ``to``, the person briefed with ``briefing``.

        Must be awaited from an agent's ``on_enter`` or a tool (LiveKit's rule for an ``AgentTask``).

        Raises:
            TransferUnavailableError: a web caller, no outbound trunk, or no LiveKit job (nothing attempted).
            TransferFailedError: the person did not answer, declined, voicemail, or the merge failed.
        """
        if not self._is_phone:
            raise TransferUnavailableError("a web caller cannot be transferred by SIP")
        if not self._trunk:
            raise TransferUnavailableError("no outbound SIP trunk (LIVEKIT_SIP_OUTBOUND_TRUNK) for a warm transfer")
        from livekit.agents import ToolError, get_job_context
        from livekit.agents.beta.workflows import WarmTransferTask

        if get_job_context(required=False) is None:
            # The task's on_enter needs the job context; without one it would never complete.
            raise TransferUnavailableError("not running in a LiveKit job")
        try:
            task = WarmTransferTask(
                to,
                sip_trunk_id=self._trunk,
                instructions=BRIEFING_INSTRUCTIONS.format(briefing=briefing),
                ringing_timeout=self._ringing_timeout_s,
            )
        except ValueError as exc:
            raise TransferUnavailableError(str(exc)) from exc
        logger.info("warm transfer of the caller in room %s", self._job.room.name)
        try:
            await task
        except ToolError as exc:  # "could not dial human agent", "human agent declined ...", "voicemail detected"
            raise TransferFailedError(str(exc)) from exc
        except Exception as exc:
            raise TransferFailedError(f"warm transfer failed ({type(exc).__name__})") from exc
        self._bridged = True

    async def hang_up(self) -> None:
        """Delete the room (everyone is disconnected; the job ends). Nothing after a warm transfer."""
        if self._bridged:
            logger.info("the caller is with a person: the room stays")
            return
        logger.info("hanging up: deleting room %s", self._job.room.name)
        await self._job.delete_room()
