"""The typed transfer summary: one structure for agent-to-agent transfers and human tickets."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .context import AuthStep, CustomerContext
from .redaction import redact


@dataclass(frozen=True)
class TransferSummary:
    """What the next agent (or a person) must know about the call. Contains no secret digits.

    Attributes:
        from_agent / to_agent: Registry keys.
        reason: Why the caller is being transferred, as the transferring agent put it.
        caller: ``"Ava T."`` once verified, else ``"unverified caller"``.
        customer_id: Verified customer id, if any.
        verified: Identity matched a record.
        verification_step: Where the verification state machine stands.
        channel: ``web`` / ``phone`` / ...
        intent: The caller's original reason for calling.
        done: What was already done in the call (most recent last).
        offer_response: Answer to offer a-592, if given.
        do_not_ask: Facts the next agent must not ask again.
    """

    from_agent: str
    to_agent: str
    reason: str
    caller: str
    customer_id: str | None
    verified: bool
    verification_step: str
    channel: str
    intent: str | None
    done: tuple[str, ...]
    offer_response: str | None
    do_not_ask: tuple[str, ...]

    @classmethod
    def build(cls, ctx: CustomerContext, *, from_agent: str, to_agent: str, reason: str) -> TransferSummary:
        """Summarise ``ctx`` for a transfer from ``from_agent`` to ``to_agent``."""
        v = ctx.verification
        caller = f"{v.customer.first_name} {v.customer.last_name[:1]}." if v.customer else "unverified caller"
        do_not_ask: list[str] = []
        if v.verified:
            do_not_ask += ["first name", "phone number", "date of birth", "last four digits", "address"]
        if ctx.disclosure.response:
            do_not_ask.append("the loyalty offer (already answered)")
        return cls(
            from_agent=from_agent,
            to_agent=to_agent,
            reason=redact(reason.strip()),
            caller=caller,
            customer_id=v.customer.id if v.customer else None,
            verified=v.verified,
            verification_step=v.step.value,
            channel=ctx.channel,
            intent=redact(ctx.intent) if ctx.intent else None,
            done=tuple(redact(a) for a in ctx.actions[-6:]),
            offer_response=ctx.disclosure.response,
            do_not_ask=tuple(do_not_ask),
        )

    def to_prompt(self) -> str:
        """The summary as one system message for the next agent's chat context."""
        status = (
            "VERIFIED"
            if self.verified
            else (
                "LOCKED OUT after failed identity checks"
                if self.verification_step == AuthStep.LOCKED_OUT
                else "NOT verified"
            )
        )
        lines = [
            f"TRANSFER SUMMARY: transferred from the {self.from_agent} agent to you ({self.to_agent}).",
            f"Reason: {self.reason or 'not given'}.",
            f"Caller: {self.caller}, identity {status}, channel {self.channel}.",
            f"Caller's intent: {self.intent or 'not stated yet'}.",
        ]
        if self.done:
            lines.append("Already done in this call: " + "; ".join(self.done) + ".")
        if self.offer_response:
            lines.append(f"Loyalty offer answered: {self.offer_response}.")
        if self.do_not_ask:
            lines.append("Do not ask again for: " + ", ".join(self.do_not_ask) + ".")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (for tickets and call reports)."""
        return asdict(self)
