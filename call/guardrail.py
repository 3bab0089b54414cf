"""The interface of the optional output classifier: a model that judges one agent reply before it is spoken.

The output guardrail (:mod:`agents.output_guardrail`) checks every reply with fast rules in code; when a
classifier is configured (``GUARDRAIL_CLASSIFIER_URL``), each reply that passed the rules is also sent
to it, and its verdict can still withhold the reply. The implementation (an OpenAI-compatible chat
client) is built by the worker (:mod:`worker.guardrail_client`); this leaf module fixes the interface,
the categories and the instructions every implementation sends, so agents and tests depend on nothing
else. Like :class:`call.supervisor.Supervisor`, it lives on the call's ``CustomerContext``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Category = Literal["ok", "offensive", "off_brand", "competitor", "advice", "promise", "personal_data"]
CATEGORIES: tuple[Category, ...] = ("ok", "offensive", "off_brand", "competitor", "advice", "promise", "personal_data")
"""What a verdict may name; ``ok`` when the reply may be spoken."""

CLASSIFIER_INSTRUCTIONS = (
    "You review one reply that a customer service voice agent of an online marketplace is about to say to a "
    "caller. Block it only if it is clearly one of: offensive (insults, slurs, profanity, harassment); "
    "off_brand (rude, sarcastic, political or religious opinions, talk about being an AI model, or anything "
    "a professional agent would not say); competitor (sends the caller to another store or praises one); "
    "advice (legal, medical, financial or safety advice beyond the marketplace's own products and policies); "
    "promise (guarantees an outcome, a refund, compensation or a delivery date); personal_data (reads out "
    "identity numbers such as Social Security, card, phone or date of birth). Everything else, including "
    "prices, order details and polite refusals, is ok.\n"
    'Answer with JSON only: {"verdict": "allow"} or {"verdict": "block", "category": "<one of the categories>"}.'
)
"""The system message every classifier implementation sends (the reply to judge follows it)."""


@dataclass(frozen=True)
class GuardrailVerdict:
    """A classifier's judgement of one reply.

    Attributes:
        allowed: The reply may be spoken.
        category: Why not (one of :data:`CATEGORIES`); ``"ok"`` when allowed.
    """

    allowed: bool
    category: Category = "ok"


class GuardrailClassifier(Protocol):
    """A model judging one agent reply before it is spoken.

    Implementations bound their own latency (``timeout_s``) and raise ``TimeoutError`` when the model does
    not answer in time, ``ConnectionError`` when it cannot be reached or answers with something that is not
    a verdict. The guardrail also cancels :meth:`classify` after ``timeout_s`` and then lets the rule layer
    decide alone (fail open for the classifier only: the rules have already run).
    """

    model: str
    """The model's name, for logs."""
    timeout_s: float
    """Seconds one verdict may take, the request included."""

    async def classify(self, reply: str, *, agent: str) -> GuardrailVerdict:
        """Judge ``reply``.

        Args:
            reply: The whole reply, as it would be spoken, redacted (:func:`call.redaction.redact`).
            agent: Registry key of the agent speaking (``"returns"``), to judge what is on-topic.

        Returns:
            The verdict.

        Raises:
            TimeoutError: no verdict within ``timeout_s``.
            ConnectionError: the model could not be reached, refused, or answered with no valid verdict.
        """
        ...
