"""``consult_supervisor``: the chat-supervisor pattern, with the supervisor's answer checked by code.

The desk's fast model talks with the caller; for a complex multi-order or policy question it calls
:func:`consult_supervisor`, and code does the rest:

1. code speaks a holding line (:data:`FILLER`) so the caller is not left in silence;
2. code gathers the facts from the services for the verified caller (their recent orders with items,
   status, dates and totals, the return deadline and refund of each delivered item, their returns,
   subscriptions and the return policy: :func:`facts_text`), nothing that identifies them (no name,
   phone, address, date of birth, email, card or SSN digits); the question is redacted
   (:func:`call.redaction.redact`);
3. the supervisor (:class:`call.supervisor.Supervisor`, configured by the worker) answers from those
   facts, within its timeout;
4. code checks the answer against the facts (:func:`check_answer`) and speaks it word for word only
   when every fact in it is grounded. Otherwise nothing of it is spoken: the tool returns a safe
   sentence for the model (offer a person) and logs the event.

**The grounding rule** (:func:`check_answer`). An answer is spoken only if:

* every business id in it (``ORD-``, ``RET-``, ``SUB-``..., any registered format or any ``ABC-123``
  shape) occurs in the facts;
* every money amount (``$12.34``, ``12 dollars``, ``twelve dollars``) equals an amount of the facts, or the
  sum or the difference of two amounts of the facts (a total of two refunds, a price less a fee); money and
  percentages are read by :mod:`call.figures`, shared with the output guardrail of every agent reply;
* every calendar date (``November 20``, ``Nov 20, 2026``, ``2026-11-20``, ``11/20``) is a date of the facts;
* every percentage occurs in the facts, and every other number occurs in the facts or is at most
  :data:`FREE_NUMBER_MAX` (counts such as "two orders");
* once the grounded values are taken out, nothing is left that the PII redactor would remove (a phone
  number, card or SSN digits, a date of birth, digits spelled out in words);
* it names no tool (``snake_case`` words), carries no role or instruction markers ("system:",
  "ignore previous instructions"), and is at most :data:`MAX_ANSWER_CHARS` characters.

Other number words below four digits ("thirty days") are not checked; four or more are caught by the
redaction rule.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re

from livekit.agents import RunContext, function_tool
from livekit.agents.llm import ToolResult

from call.context import CustomerContext
from call.figures import (
    PERCENT,
    amount_grounded,
    money_values,
    percent_value,
    percent_values,
    strip_money,
    strip_percents,
)
from call.redaction import redact
from services.ids import registered_ids
from services.views import CaseFactsView, ItemView, OrderView, ReturnPolicyView, dollars

from .common import free_text, service_errors

logger = logging.getLogger("marketplace.tools.supervisor")

Ctx = RunContext[CustomerContext]

FILLER = "Let me look into that for a moment."
"""Spoken by code before the supervisor is asked (the chatSupervisor pattern's filler phrase)."""
UNAVAILABLE = (
    "The supervisor service is not available on this call, so this question cannot be checked now. "
    "Tell the caller, and offer to connect them with a colleague."
)
TIMED_OUT = (
    "The supervisor did not answer in time and nothing was shared. Apologise, and offer to try again or to "
    "connect the caller with a colleague."
)
FAILED = (
    "The supervisor could not be reached and nothing was shared. Apologise, and offer to connect the caller "
    "with a colleague."
)
WITHHELD = (
    "The supervisor's answer could not be confirmed against the caller's records, so none of it was shared. "
    "Tell the caller you could not confirm the answer, and offer to connect them with a colleague."
)
MAX_QUESTION_CHARS = 300
MAX_ANSWER_CHARS = 600
"""Longest answer read out (three short sentences); longer ones are withheld."""
FREE_NUMBER_MAX = 12
"""Numbers up to this value need not occur in the facts (counts: "two orders", "one item")."""
MAX_WAIT_S = 120.0
"""Upper bound of the wait whatever the supervisor's own timeout says."""


# --- facts -------------------------------------------------------------------------------------------------


def facts_text(facts: CaseFactsView) -> str:
    """The facts as plain text for the supervisor: ids, ISO dates, ``$`` amounts and ``%`` rates.

    Each delivered item carries its return deadline and refund computed as :mod:`services.returns`
    does (window from delivery per category, restocking fee on opened items), so the supervisor never
    has to compute a policy figure itself.
    """
    policies = {p.category: p for p in facts.policies}
    lines = [f"Today is {facts.today.isoformat()}. The caller's loyalty tier is {facts.loyalty_tier}."]
    lines.append("Orders, newest first:" if facts.orders else "The caller has no orders.")
    lines += [_order_line(o, policies, facts.today) for o in facts.orders]
    if facts.returns:
        lines.append("Returns:")
        for r in facts.returns:
            pickup = f", pickup {r.pickup_date.isoformat()} ({r.pickup_window})" if r.pickup_date else ""
            refunded = f", refunded to {r.refund_method.replace('_', ' ')}" if r.refund_method else ""
            lines.append(
                f"- {r.id}: {r.item_name} from order {r.order_id}, {r.status.replace('_', ' ')}, condition "
                f"{r.condition.replace('_', ' ')}, refund {dollars(r.refund_cents)}{pickup}{refunded}."
            )
    else:
        lines.append("The caller has no returns.")
    if facts.subscriptions:
        lines.append("Subscriptions (subscribe and save):")
        for s in facts.subscriptions:
            when = f"next delivery {s.next_delivery.isoformat()}" if s.status == "active" else s.status
            variant = f", {s.variant}" if s.variant else ""
            lines.append(
                f"- {s.id}: {s.product_name}{variant}, {s.quantity} every {s.every_weeks} weeks, "
                f"{s.discount_pct}% off, {dollars(s.price_per_delivery_cents)} per delivery, {when}."
            )
    lines.append("Return policy by category:")
    lines += [_policy_line(p) for p in facts.policies]
    return "\n".join(lines)


def _order_line(order: OrderView, policies: dict[str, ReturnPolicyView], today: dt.date) -> str:
    status = order.status.replace("_", " ")
    dates = f"placed {order.placed_at.date().isoformat()}"
    if order.delivered_at is not None:
        dates += f", delivered {order.delivered_at.date().isoformat()}"
    elif order.expected_delivery is not None:
        dates += f", expected {order.expected_delivery.isoformat()}"
    items = "; ".join(_item_text(order, item, policies.get(item.category), today) for item in order.items)
    return f"- {order.id}: {status}, {dates}. Items: {items}. Order total {dollars(order.total_cents)}."


def _item_text(order: OrderView, item: ItemView, policy: ReturnPolicyView | None, today: dt.date) -> str:
    """The item, and for a delivered one its return deadline and refund under the policy (as services.returns)."""
    price = item.unit_price_cents * item.quantity
    text = f"{item.name} ({item.category.replace('_', ' ')}), {item.quantity} x {dollars(item.unit_price_cents)}"
    if order.delivered_at is None or policy is None:
        return text
    if not policy.returnable:
        return f"{text}, final sale (not returnable)"
    delivered = order.delivered_at.date()
    deadline = delivered + dt.timedelta(days=policy.window_days)
    defective = delivered + dt.timedelta(days=policy.defective_window_days)
    if today > defective:
        return f"{text}, return windows closed (the last, for defective items, on {defective.isoformat()})"
    if today > deadline:
        return (
            f"{text}, return window closed on {deadline.isoformat()}; only a defective item can still be "
            f"returned, until {defective.isoformat()}, refund {dollars(price)}"
        )
    fee = price * policy.restocking_fee_pct // 100
    opened = f", refund if opened {dollars(price - fee)} after a {dollars(fee)} restocking fee" if fee else ""
    return (
        f"{text}, return window until {deadline.isoformat()} (if defective until {defective.isoformat()}), "
        f"refund if unused {dollars(price)}{opened}"
    )


def _policy_line(p: ReturnPolicyView) -> str:
    category = p.category.replace("_", " ")
    if not p.returnable:
        return f"- {category}: final sale, not returnable. {p.note}".rstrip()
    fee = (
        f"; {p.restocking_fee_pct}% restocking fee on opened items that are not defective"
        if p.restocking_fee_pct
        else ""
    )
    return (
        f"- {category}: returns within {p.window_days} days of delivery ({p.defective_window_days} days if "
        f"defective){fee}. {p.note}"
    ).rstrip()


# --- the answer check ------------------------------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for m in names
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:st|nd|rd|th)?"
_DATE_MONTH_FIRST = re.compile(rf"\b(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}}){_ORD}\b(?:,?\s+(?P<y>\d{{4}})\b)?", re.I)
_DATE_DAY_FIRST = re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<m>{_MONTH})(?:,?\s+(?P<y>\d{{4}})\b)?", re.I)
_DATE_ISO = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_DATE_SLASH = re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{2}|\d{4}))?\b")
_GENERIC_ID = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]{1,5}-\d{3,}(?!\d)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_TOOL_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_ROLE_MARKER = re.compile(r"(?im)^\s*(?:system|assistant|developer|user|tool)\s*:")
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b[^.]{0,40}\b(?:instructions?|rules?|prompt)\b|\bsystem prompt\b|"
    r"\byou are now\b|\bread (?:out|aloud) (?:the|their|his|her) (?:phone|card|ssn|social)",
    re.I,
)


def _fact_dates(facts: str) -> set[dt.date]:
    found = set()
    for m in _DATE_ISO.finditer(facts):
        try:
            found.add(dt.date(int(m["y"]), int(m["m"]), int(m["d"])))
        except ValueError:
            continue
    return found


def _date_grounded(month: int, day: int, year: int | None, dates: set[dt.date]) -> bool:
    return any(d.month == month and d.day == day and (year is None or d.year == year) for d in dates)


def _year(value: str | None) -> int | None:
    if not value:
        return None
    return int(value) + 2000 if len(value) == 2 else int(value)


def check_answer(answer: str, facts: str) -> list[str]:
    """What in ``answer`` is not grounded in ``facts`` (see the module's rule); empty when it may be spoken.

    Args:
        answer: The supervisor's answer, already made speakable (:func:`speakable`).
        facts: The exact facts text the supervisor was given.

    Returns:
        One short description per problem (values included: log them redacted).
    """
    problems: list[str] = []
    if not answer.strip():
        return ["empty answer"]
    if len(answer) > MAX_ANSWER_CHARS:
        problems.append(f"too long ({len(answer)} characters)")
    if (name := _TOOL_NAME.search(answer)) is not None:
        problems.append(f"names a tool-like identifier {name.group(0)!r}")
    if _ROLE_MARKER.search(answer) or _INSTRUCTION.search(answer):
        problems.append("carries instructions rather than an answer")

    rest = answer
    # ids: registered formats and any ABC-123 shape
    ids = {m.group(0) for fmt in registered_ids() for m in fmt.pattern.finditer(rest)}
    ids |= set(_GENERIC_ID.findall(rest))
    for found in sorted(ids, key=len, reverse=True):
        if found not in facts:
            problems.append(f"id {found} is not in the facts")
        rest = rest.replace(found, " ")
    # money: an amount of the facts, or the sum or difference of two
    amounts = set(money_values(facts))
    for cents in money_values(rest):
        if not amount_grounded(cents, amounts):
            problems.append(f"amount {dollars(cents)} is not in the facts")
    rest = strip_money(rest)
    # dates
    dates = _fact_dates(facts)
    for pattern in (_DATE_ISO, _DATE_MONTH_FIRST, _DATE_DAY_FIRST, _DATE_SLASH):
        for m in pattern.finditer(rest):
            month_text = m["m"]
            month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.rstrip(".").casefold()]
            if not _date_grounded(month, int(m["d"]), _year(m["y"]), dates):
                problems.append(f"date {m.group(0)!r} is not in the facts")
        rest = pattern.sub(" ", rest)
    # percentages
    rates = set(percent_values(facts))
    for m in PERCENT.finditer(rest):
        if percent_value(m) not in rates:
            problems.append(f"rate {m.group(0)!r} is not in the facts")
    rest = strip_percents(rest)
    # any other number
    fact_numbers = set(_NUMBER.findall(facts)) | set(re.findall(r"\d+", facts))
    for value in _NUMBER.findall(rest):
        digits = value.replace(",", "")
        small = digits.isdigit() and int(digits) <= FREE_NUMBER_MAX
        if not small and value not in fact_numbers and digits not in fact_numbers:
            problems.append(f"number {value} is not in the facts")
    # anything the PII redactor would remove (spelled-out digit runs, phone numbers...)
    if redact(rest) != rest:
        problems.append("digits that look like personal data")
    return problems


_CITATION = re.compile(r"\[([^\]]{0,80})\]\([^)]{0,80}\)")
_HEADING = re.compile(r"(?m)^\s*#+\s.*$")
_BULLET = re.compile(r"(?m)^\s*(?:[-*•]|\d+[.)])\s+")


def speakable(answer: str) -> str:
    """The answer as plain speech: markdown headings and citations dropped, emphasis marks and bullets
    removed, whitespace collapsed (``"# Message\\n**Yes**, ... [Policy](ID-010)"`` → ``"Yes, ..."``)."""
    text = _HEADING.sub(" ", answer)
    text = _CITATION.sub("", text)
    text = _BULLET.sub(" ", text)
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = " ".join(text.split())
    return re.sub(r"\s+([.,;:!?])", r"\1", text)


# --- the tool ------------------------------------------------------------------------------------------------


@function_tool
async def consult_supervisor(context: Ctx, question: str) -> str | ToolResult:
    """Ask a senior colleague a complex question about the caller's orders, returns or the return policy.

    Use it for questions that need several orders or policy reasoning ("if I return the jacket and the
    headphones, how much do I get back in total, and by when?"). Code says a short holding line, checks the
    answer against the caller's records and reads it out itself; if it cannot be confirmed, offer a person.

    Args:
        question: The caller's question in one or two sentences, in their words, e.g. "Which of my orders
            can I still return, and how much would I get back?"
    """
    ctx = context.userdata
    customer = ctx.require_verified()
    text = free_text(question, field="question", max_len=MAX_QUESTION_CHARS)
    supervisor = ctx.supervisor
    if supervisor is None:
        logger.info("supervisor consult: not configured")
        return UNAVAILABLE
    context.session.say(FILLER)
    async with service_errors():
        facts = facts_text(await ctx.services.features.case_facts(customer.id))
    wait = min(max(float(getattr(supervisor, "timeout_s", MAX_WAIT_S)), 0.1), MAX_WAIT_S)
    try:
        async with asyncio.timeout(wait):
            raw = await supervisor.answer(redact(text), facts)
    except TimeoutError:
        logger.warning("supervisor %s timed out after %.1fs", supervisor.model, wait)
        return TIMED_OUT
    except Exception as exc:  # the supervisor is an external system: any failure is "no answer"
        logger.warning("supervisor %s failed: %s", supervisor.model, redact(f"{type(exc).__name__}: {exc}"))
        return FAILED
    answer = speakable(raw) if isinstance(raw, str) else ""
    problems = check_answer(answer, facts)
    if problems:
        logger.warning("supervisor %s answer withheld: %s", supervisor.model, redact("; ".join(problems))[:500])
        return WITHHELD
    logger.info("supervisor %s answer checked and spoken (%d characters)", supervisor.model, len(answer))
    context.session.say(answer)
    return ToolResult(
        f'A senior colleague\'s answer, checked against the records, was just read to the caller: "{answer}" '
        "Do not repeat it; ask whether they need anything else.",
        reply_required=False,
    )


SUPERVISOR_TOOLS = [consult_supervisor]
