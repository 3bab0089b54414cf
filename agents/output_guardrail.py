"""The output guardrail: every agent reply is checked, sentence by sentence, before it is spoken.

The system we migrate from (openai-realtime-agents) ran a moderation model on the agent's text after it
was generated. Here a **rule layer in code** checks every sentence of every model reply before
text-to-speech, against the facts of that very request, and an **optional model classifier**
(:class:`call.guardrail.GuardrailClassifier`) can also judge the whole reply. It runs after the speech
guard (:mod:`agents.speech_guard`, which withholds text meant for the model) in
:meth:`agents.base.MarketplaceAgent.llm_node`.

**Grounded facts of a request** (:func:`facts_for_request`): what code knows is true in this request.

* every tool result in the request's chat context (``function_call_output`` items: this agent's tools,
  earlier turns included);
* every line spoken in the chat context: code's own lines (``session.say`` puts them there: read-backs,
  confirmations, the supervisor's checked answer) and earlier model lines, which were spoken only after
  passing this guardrail; after a transfer, the agent lines the coordinator carried;
* the system messages: the agent's prompt (``agents/prompts/*.md``: the advanced features prompt states
  the subscription rates and intervals), the transfer summary *without its "Reason:" line* (the
  transferring model wrote that one), pending notes from code; and the call's action log
  (``ctx.actions``), written by code;
* the descriptions of the tools offered (a tool's argument description states "3–5 business days");
* the caller's recent words (``ctx.recent_user_texts``), a weaker source: they ground a figure the
  caller said ("anything under fifty dollars?" → "Here are jackets under $50"), but never a sentence
  that grants the caller money or terms (refund, credit, "you'll get", "I can give"), and never
  identity digits.

**Rules** (:func:`check_sentence`; a trip names a short reason, never the text):

* identity digits: a date of birth equal to the caller's (``ctx.verification.date_of_birth``, any form
  :func:`call.parse.parse_date` reads, or its year, or its month and day next to "born"/"birthday");
  the caller's last four (said in their recent turns or held for one turn by verification: they are
  never stored); any other run standing for four or more digits (written or spoken, "4 8 2 1",
  "forty-eight twenty-one") that does not occur in the grounded facts: SSN-like (``3-2-4`` or nine
  digits), card-like (13–19 digits or ``4-4-4-4``), phone-like (7, 10 or 11 digits) or other. Business
  ids (``ORD-100101``, every format registered in :mod:`services.ids`), money, percentages, times of
  day, decimals, calendar dates other than the birth date, the order number the caller said
  (:func:`tools.grounding.order_number_said`) and years other than the birth year are not identity
  digits. Digit lists such as "sizes 8, 10, 12" are not one run (only single digits are joined
  across commas: "4, 8, 2, 1" is one);
* figures: every money amount (``$12``, ``12 dollars``, ``twelve dollars and fifty cents``,
  :mod:`call.figures`) must be a grounded amount, or the sum or difference of two (as the supervisor's
  check); every percentage must be grounded; in a sentence about policy (return, refund, window, fee,
  warranty, "within", business days...), every duration ("30 days", "3–5 business days", "a 2-year
  warranty") must be grounded with the same unit;
* conduct, chosen for precision (each is a pattern a customer service agent never needs):

  - offensive words: the small masked list in ``agents/guardrail_words.txt`` (profanity, the common
    slurs, "idiot"/"moron"), whole words only, plus insults aimed at the caller ("you're stupid",
    "what a stupid question") unless negated. A listed word that occurs in a tool result (a book
    title) is not a trip;
  - competitor recommendation: a recommending verb before a competitor's name ("try Amazon", "buy it
    on eBay", "check out Best Buy"), or the competitor praised ("Walmart has it cheaper", "cheaper at
    Target"). A bare mention ("we don't price-match Amazon") passes; "Target" counts only capitalised
    (a price alert has a target price);
  - legal advice ("you could sue", "that's illegal", "under consumer law", "small claims court") and
    medical advice (doses, "you should take ibuprofen", "sounds like an infection"): a desk must not
    give either; a refusal ("I can't give legal advice") passes;
  - promises: "I promise", "we guarantee", "guaranteed", "you'll definitely get", unless negated ("I
    can't promise that") or the word comes from a tool result (a product's own guarantee);
  - "as an AI language model" (off-brand).

**On a trip** the sentence is replaced with a safe line for its kind (:data:`SAFE_LINES`: none of
them says anything meant for the model), the rest of that reply is withheld (it may build on the
replaced claim), the event is logged at WARNING with the reason only, the reason is appended to
``ctx.guardrail_trips`` (for the call report and metrics) and a note for the model's next request is
queued in ``ctx.notes_for_model`` (use the tool before stating a figure, and so on).

**The classifier** (optional, off by default; ``GUARDRAIL_CLASSIFIER_URL``) judges the whole reply that
passed the rules, redacted. It needs the whole reply, so when it is on the reply is held until the
model has finished and the verdict is in: time to first audio grows by the rest of the generation plus
one classifier round trip (a small hosted model: a few hundred milliseconds; bounded by
``GUARDRAIL_CLASSIFIER_TIMEOUT_S``). Without it, rule-checked sentences stream to TTS as they complete
(the rules cost well under a millisecond per sentence). A timeout or a failure of the classifier is
logged and the rule layer alone decides (fail open for the classifier only).
"""

from __future__ import annotations

import asyncio
import codecs
import datetime as dt
import json
import logging
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from livekit.agents import ChatContext, llm
from livekit.agents.llm import ChatChunk, ChoiceDelta, utils

from call.context import CustomerContext
from call.figures import allowed_amounts, duration_values, money_values, percent_values, strip_money, strip_percents
from call.guardrail import GuardrailClassifier, GuardrailVerdict
from call.parse import MONTHS, ORDINALS, SCALES, TEENS, TENS, UNITS, parse_date, parse_last_four, spoken_digits
from call.redaction import redact
from services.ids import registered_ids
from tools.grounding import order_number_said

from .speech_guard import SentenceFilter

logger = logging.getLogger("marketplace.agents.guardrail")

WORDS_FILE = Path(__file__).with_name("guardrail_words.txt")
MAX_CLASSIFIER_WAIT_S = 10.0
"""Upper bound of a classifier wait whatever its own timeout says (the caller is waiting)."""

# --- what the caller hears instead, and what the model is told ------------------------------------------

SAFE_FIGURE = "I'd like to confirm the exact figure before I quote it. Shall I look it up for you?"
SAFE_IDENTITY = "For your security, I won't read personal details aloud."
SAFE_CONDUCT = "I'm sorry, let me put that better. How can I help you?"
SAFE_COMPETITOR = "I can only help with what's on Marketplace. Would you like me to find something similar here?"
SAFE_ADVICE = "I can't give legal or medical advice, but I'm glad to help with your orders and our products."
SAFE_PROMISE = "I can't promise that, but I can tell you exactly what I'm able to confirm."
SAFE_NOT_HUMAN = "Just so you know, I'm the desk's automated assistant."
SAFE_VERDICT = "Let me check that against your order before I say whether it qualifies."


@dataclass(frozen=True)
class Trip:
    """Why a sentence was not spoken.

    Attributes:
        reason: Short, fixed, snake_case (``"ungrounded_amount"``): logs, ``ctx.guardrail_trips``, metrics.
        kind: ``identity``, ``figure`` or ``conduct`` (chooses the safe line and the note).
    """

    reason: str
    kind: str

    @property
    def safe_line(self) -> str:
        """What the caller hears instead (never anything meant for the model)."""
        return SAFE_LINES.get(self.reason) or SAFE_LINES[self.kind]

    @property
    def note(self) -> str:
        """The system note for the model's next request."""
        what = _NOTE_WHAT.get(self.reason.removeprefix("classifier_"), "something a Marketplace agent does not say")
        advice = _NOTE_ADVICE[self.kind]
        return (
            f'Your last reply was not spoken in full because it stated {what}; the caller heard "{self.safe_line}" '
            f"instead. {advice}"
        )


SAFE_LINES: dict[str, str] = {
    "identity": SAFE_IDENTITY,
    "figure": SAFE_FIGURE,
    "conduct": SAFE_CONDUCT,
    "competitor": SAFE_COMPETITOR,
    "legal_advice": SAFE_ADVICE,
    "medical_advice": SAFE_ADVICE,
    "promise": SAFE_PROMISE,
    "ungrounded_verdict": SAFE_VERDICT,
    "claims_human": SAFE_NOT_HUMAN,
    "classifier_competitor": SAFE_COMPETITOR,
    "classifier_advice": SAFE_ADVICE,
    "classifier_promise": SAFE_PROMISE,
    "classifier_personal_data": SAFE_IDENTITY,
}
"""The safe line of each trip: by reason first, else by kind."""

_NOTE_WHAT = {
    "date_of_birth": "the caller's date of birth",
    "last_four": "the caller's last four digits",
    "ssn_digits": "digits that look like a Social Security number",
    "card_digits": "digits that look like a card number",
    "phone_number": "a phone number no tool gave",
    "personal_digits": "a long number no tool gave",
    "ungrounded_amount": "an amount of money that no tool result gave",
    "ungrounded_percentage": "a percentage that no tool result gave",
    "ungrounded_policy_period": "a policy period that no tool result gave",
    "ungrounded_verdict": "whether something can be returned or refunded before a tool checked it",
    "offensive_language": "offensive language",
    "off_brand": "something a Marketplace agent does not say",
    "competitor": "a recommendation of another store",
    "legal_advice": "legal advice",
    "medical_advice": "medical advice",
    "promise": "a promise or guarantee",
    "claims_human": "that you are a person (you are the desk's automated assistant)",
}
_NOTE_ADVICE = {
    "identity": "Never say identity details (date of birth, Social Security, card or phone digits): code handles them.",
    "figure": (
        "Before you state an amount, a percentage or a policy period, call the tool that gives it and quote its "
        "figure exactly; if no tool gives it, say you cannot confirm it."
    ),
    "conduct": (
        "Stay polite and on Marketplace's own products and policies: no other stores, no legal or medical advice, "
        "no promises beyond what a tool confirmed."
    ),
}

# --- grounded facts -----------------------------------------------------------------------------------------

_NOT_FACTS = re.compile(r"(?m)^\s*(?:Reason|Caller's intent):.*$")
"""Lines of the transfer summary that are not facts: the reason (written by the transferring model) and the
caller's intent (the caller's words)."""


@dataclass(frozen=True)
class GroundedFacts:
    """What a reply may state, built once per request (:func:`facts_for_request`).

    Attributes:
        folded: The trusted text (see the module doc), case-folded (for word exemptions).
        amounts: Grounded money amounts in cents, with every sum and difference of two.
        caller_amounts: Amounts the caller said (not for grant sentences).
        percents / caller_percents: Grounded percentages, and the caller's.
        durations / caller_durations: Grounded ``(count, unit)`` durations, and the caller's.
        digit_runs: The digits of every run of four or more digits in the trusted text.
        order_digits: The six digits of the order number the caller said, if any.
        date_of_birth: The caller's date of birth, if given in this call.
        last_fours: Last-four digits the caller said recently (memory only, never logged).
    """

    folded: str = ""
    amounts: frozenset[int] = frozenset()
    caller_amounts: frozenset[int] = frozenset()
    percents: frozenset[float] = frozenset()
    caller_percents: frozenset[float] = frozenset()
    durations: frozenset[tuple[int, str]] = frozenset()
    caller_durations: frozenset[tuple[int, str]] = frozenset()
    digit_runs: tuple[str, ...] = ()
    order_digits: str | None = None
    date_of_birth: dt.date | None = None
    last_fours: frozenset[str] = frozenset()
    tool_results: str = ""
    """The request's tool results and the call's actions, case-folded (what an eligibility verdict needs)."""

    @classmethod
    def build(
        cls,
        trusted: Iterable[str],
        caller: Iterable[str] = (),
        *,
        date_of_birth: dt.date | None = None,
        last_fours: Iterable[str] = (),
        order_digits: str | None = None,
        cache: dict[str, Any] | None = None,
        tool_results: Iterable[str] = (),
    ) -> GroundedFacts:
        """Facts from plain texts.

        Args:
            trusted: Tool results, spoken lines, prompts, code's notes (see the module doc).
            caller: The caller's recent utterances.
            date_of_birth: The caller's, when known.
            last_fours: Four-digit strings the caller gave as their last four.
            order_digits: Six digits of the order number the caller said.
            tool_results: The texts of tool results and actions (a subset of ``trusted``).
            cache: The call's cache of trusted texts already read (``ctx.guardrail_cache``): a call's requests
                share most of their texts, so each is read once (~2 ms per 10 kB of text otherwise). It lives
                and dies with the call (the texts hold customer data); caller texts are never cached.
        """
        texts = [_cached_figures(t, cache) for t in dict.fromkeys(trusted) if t]
        said = [_figures_of(t) for t in dict.fromkeys(caller) if t]
        return cls(
            folded="\n".join(f.folded for f in texts),
            amounts=allowed_amounts(a for f in texts for a in f.amounts),
            caller_amounts=frozenset(a for f in said for a in f.amounts),
            percents=frozenset(p for f in texts for p in f.percents),
            caller_percents=frozenset(p for f in said for p in f.percents),
            durations=frozenset(d for f in texts for d in f.durations),
            caller_durations=frozenset(d for f in said for d in f.durations),
            digit_runs=tuple(dict.fromkeys(r for f in texts for r in f.digit_runs)),
            order_digits=order_digits,
            date_of_birth=date_of_birth,
            last_fours=frozenset(d for d in last_fours if len(d) == 4 and d.isdigit()),
            tool_results="\n".join(tool_results).casefold(),
        )


@dataclass(frozen=True)
class _TextFigures:
    """The figures of one text (a tool result, a spoken line, a prompt)."""

    folded: str
    amounts: tuple[int, ...]
    percents: tuple[float, ...]
    durations: tuple[tuple[int, str], ...]
    digit_runs: tuple[str, ...]


def _cached_figures(text: str, cache: dict[str, Any] | None) -> _TextFigures:
    if cache is None:
        return _figures_of(text)
    found = cache.get(text)
    if not isinstance(found, _TextFigures):
        found = cache[text] = _figures_of(text)
    return found


def _figures_of(text: str) -> _TextFigures:
    """Every figure of ``text``."""
    return _TextFigures(
        folded=text.casefold(),
        amounts=tuple(money_values(text)),
        percents=tuple(percent_values(text)),
        durations=tuple(duration_values(text)),
        digit_runs=tuple(
            dict.fromkeys(
                [*(d for _, d in _digit_runs(_without_ids(strip_money(text)), facts=True)), *_plain_digits(text)]
            )
        ),
    )


def facts_for_request(ctx: CustomerContext, chat_ctx: ChatContext, tools: Iterable[llm.Tool] = ()) -> GroundedFacts:
    """The grounded facts of one LLM request (see the module doc for the sources).

    Args:
        ctx: The call.
        chat_ctx: The request's chat context (before the notes message is added).
        tools: The tools offered in the request.
    """
    trusted: list[str] = []
    results: list[str] = []
    for item in chat_ctx.items:
        if item.type == "function_call_output":
            trusted.append(str(item.output))
            results.append(str(item.output))
        elif item.type == "message":
            content = item.text_content or ""
            if item.role in ("system", "developer"):
                content = _NOT_FACTS.sub("", content)
            if item.role != "user":
                trusted.append(content)
    trusted += ctx.notes_for_model
    trusted += ctx.actions
    cache = ctx.guardrail_cache
    for tool in tools:  # tool schemas hold no customer data: read once per process
        if (text := _tool_text(tool)) not in cache:
            cache[text] = _tool_figures(text)
        trusted.append(text)
    last_fours = [ctx.verification.last_four_pending or ""]
    last_fours += [found.digits for t in ctx.recent_user_texts if (found := parse_last_four(t)) is not None]
    return GroundedFacts.build(
        trusted,
        ctx.recent_user_texts,
        date_of_birth=ctx.verification.date_of_birth,
        last_fours=last_fours,
        order_digits=order_number_said(ctx),
        cache=cache,
        tool_results=[*results, *ctx.actions],
    )


@lru_cache(maxsize=512)
def _tool_figures(schema_text: str) -> _TextFigures:
    return _figures_of(schema_text)


_TOOL_TEXTS: dict[int, tuple[llm.Tool, str]] = {}


def _tool_text(tool: llm.Tool) -> str:
    """The description of ``tool`` and of its arguments, as the model sees them (cached per tool object)."""
    cached = _TOOL_TEXTS.get(id(tool))
    if cached is not None and cached[0] is tool:
        return cached[1]
    try:
        if isinstance(tool, llm.FunctionTool):
            text = json.dumps(utils.build_legacy_openai_schema(tool, internally_tagged=True), ensure_ascii=False)
        else:
            text = json.dumps(getattr(getattr(tool, "info", None), "raw_schema", {}), ensure_ascii=False)
    except Exception:  # a schema that cannot be rendered grounds nothing
        text = ""
    _TOOL_TEXTS[id(tool)] = (tool, text)
    return text


# --- identity digits ----------------------------------------------------------------------------------------

_DIGIT_WORDS = sorted(
    (*UNITS, *TEENS, *TENS, *SCALES, "oh", "double", "triple"), key=len, reverse=True
)  # fmt: skip
_ATOM = re.compile(r"(?<![^\W\d_])(?:\d+(?:\.\d+)?|(?:" + "|".join(_DIGIT_WORDS) + r"))(?![^\W\d_])", re.IGNORECASE)
_TIGHT_GAP = re.compile(r"[\s\-./()–—]{1,3}")
_COMMA_GAP = re.compile(r"\s*,\s*")
_TIME_AFTER = re.compile(r"\s*(?:[ap]\.?\s?m\b\.?|o'?\s?clock\b)", re.IGNORECASE)
_GENERIC_ID = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]{1,5}-\d{3,}(?!\d)")
_SSN_SHAPE = re.compile(r"(?<!\d)\d{3}[\s.-]\d{2}[\s.-]\d{4}(?!\d)")
_CARD_SHAPE = re.compile(r"(?<!\d)\d{4}(?:[\s.-]\d{4}){3}(?!\d)")
_BIRTH_WORDS = re.compile(r"\b(?:born|birth|birthday|dob|d\.o\.b)\b", re.IGNORECASE)
_DAY_WORDS = {word: n for word, n in ORDINALS.items() if n <= 31}
_DATE_PARTS = re.compile(
    r"\b(?:" + "|".join(MONTHS) + r")\b|(?<![\d/])\d{1,4}[/-]\d{1,2}[/-]\d{1,4}(?![\d/])", re.IGNORECASE
)
_DATE_WINDOW = 40
"""Characters either side of a month name or numeric date read by :func:`call.parse.parse_date`."""
_FAR_FUTURE = dt.date(2099, 12, 31)


def _without_ids(text: str) -> str:
    """``text`` with business ids (every registered format, and any ``ABC-123`` shape) blanked."""
    for fmt in registered_ids():
        if fmt.prefix in text:
            text = fmt.pattern.sub(" ", text)
    return _GENERIC_ID.sub(" ", text)


def _plain_digits(text: str) -> list[str]:
    """Every contiguous digit string of four or more in ``text`` (ids and tracking numbers included)."""
    return re.findall(r"\d{4,}", text)


def _atom_digits(atom: str) -> str:
    return spoken_digits(atom) if not atom[0].isdigit() else atom


def _digit_runs(text: str, *, facts: bool = False) -> list[tuple[str, str]]:
    """Runs of numeric atoms read together, as ``(text, digits)``; only runs of four digits or more.

    Atoms (digit groups and number words) are joined across spaces, dashes, dots, slashes and brackets;
    across a comma only when both sides are single digits ("4 1 5, 5 5 5" is one run, "8, 10, 12" three).
    A decimal ("4.5", "12.50") stands alone and is not a run; a run followed by am/pm/o'clock is a time,
    and a run that completes a calendar date ("November 20 2026", "11/20/2026") is a date, not digits.
    With ``facts``, every run is returned (a run of the grounded facts grounds its digits whatever it is).
    """
    runs: list[tuple[str, str]] = []
    atoms = list(_ATOM.finditer(text))
    start = 0
    while start < len(atoms):
        end = start
        while end + 1 < len(atoms) and "." not in atoms[end].group(0) and "." not in atoms[end + 1].group(0):
            gap = text[atoms[end].end() : atoms[end + 1].start()]
            single = len(_atom_digits(atoms[end].group(0))) <= 1 and len(_atom_digits(atoms[end + 1].group(0))) <= 1
            if not (_TIGHT_GAP.fullmatch(gap) or (single and _COMMA_GAP.fullmatch(gap))):
                break
            end += 1
        first, last = atoms[start], atoms[end]
        start = end + 1
        if first is last and "." in first.group(0):
            continue
        if not facts and _TIME_AFTER.match(text, last.end()):
            continue
        run_text = text[first.start() : last.end()]
        digits = spoken_digits(run_text)
        if len(digits) < 4:
            continue
        if (
            not facts
            and parse_date(text[max(0, first.start() - _DATE_WINDOW) : last.end()], today=_FAR_FUTURE) is not None
        ):
            continue
        runs.append((run_text, digits))
    return runs


def _grounded_digits(digits: str, facts: GroundedFacts) -> bool:
    return digits == facts.order_digits or any(digits in run for run in facts.digit_runs)


def _dates_in(sentence: str) -> set[dt.date]:
    """Full dates (with a year) in ``sentence``, read around each month name or numeric date."""
    found = set()
    for m in _DATE_PARTS.finditer(sentence):
        window = sentence[max(0, m.start() - _DATE_WINDOW) : m.end() + _DATE_WINDOW]
        for piece in {window, sentence[max(0, m.start() - _DATE_WINDOW) : m.end() + 12]}:
            date = parse_date(piece, today=dt.date.today())  # dates of birth are past; "4/12/88" is 1988
            if date is not None:
                found.add(date)
    return found


def _names_birth_day(sentence: str, dob: dt.date) -> bool:
    """A month and day equal to the birth date's, in a sentence about birth ("born on April 12th")."""
    if not _BIRTH_WORDS.search(sentence):
        return False
    lowered = sentence.casefold()
    month = next(name for name, n in MONTHS.items() if n == dob.month)
    if not re.search(rf"\b{month}\b", lowered):
        return False
    days = {int(d) for d in re.findall(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?(?!\d)", lowered)}
    days |= {n for word, n in _DAY_WORDS.items() if re.search(rf"\b{word}\b", lowered)}
    return dob.day in days


def identity_trip(sentence: str, facts: GroundedFacts) -> Trip | None:
    """The identity-digit rule (see the module doc) for one sentence."""
    dob = facts.date_of_birth
    if dob is not None and (dob in _dates_in(sentence) or _names_birth_day(sentence, dob)):
        return Trip("date_of_birth", "identity")
    rest = _without_ids(strip_percents(strip_money(sentence)))
    for pattern, reason in ((_SSN_SHAPE, "ssn_digits"), (_CARD_SHAPE, "card_digits")):
        for m in pattern.finditer(rest):
            if not _grounded_digits(re.sub(r"\D", "", m.group(0)), facts):
                return Trip(reason, "identity")
    for _, digits in _digit_runs(rest):
        if digits in facts.last_fours:
            return Trip("last_four", "identity")
        if dob is not None and digits == f"{dob.year}" and not _grounded_digits(digits, facts):
            return Trip("date_of_birth", "identity")
        if _grounded_digits(digits, facts):
            continue
        if len(digits) == 4 and 1900 <= int(digits) <= 2099:  # a year (the birth year was checked above)
            continue
        return Trip(_digits_reason(digits), "identity")
    return None


def _digits_reason(digits: str) -> str:
    if len(digits) == 9:
        return "ssn_digits"
    if 13 <= len(digits) <= 19:
        return "card_digits"
    if len(digits) in (7, 10, 11):
        return "phone_number"
    return "personal_digits"


# --- figures -----------------------------------------------------------------------------------------------

_POLICY = re.compile(
    r"\b(?:return\w*|refund\w*|exchang\w*|window|polic\w*|restocking|fees?|warrant\w*|guarantee\w*|cancel\w*|"
    r"trial|credit\w*|business|working|within|eligib\w*|deadline|expir\w*|valid|money[- ]back|price[- ]match\w*|"
    r"protection|replace\w*)\b",
    re.IGNORECASE,
)
"""A sentence about policy: its durations must be grounded."""
_GRANT = re.compile(
    r"\b(?:refund\w*|credit(?:ed|s)?|compensat\w*|reimburs\w*|owe[ds]?|"
    r"you(?:'ll|’ll| will| would| can| could)?\s+(?:get|receive|save)|"
    r"I(?:'ll|’ll| will| can| could)\s+(?:give|offer|apply|take|knock|refund|credit|send|waive))\b",
    re.IGNORECASE,
)
"""A sentence that grants the caller money or terms: the caller's own figures do not ground it."""


def figure_trip(sentence: str, facts: GroundedFacts) -> Trip | None:
    """The figure rule (see the module doc) for one sentence."""
    grant = bool(_GRANT.search(sentence))
    for cents in money_values(sentence):
        if cents not in facts.amounts and (grant or cents not in facts.caller_amounts):
            return Trip("ungrounded_amount", "figure")
    for rate in percent_values(sentence):
        if rate not in facts.percents and (grant or rate not in facts.caller_percents):
            return Trip("ungrounded_percentage", "figure")
    if _POLICY.search(sentence):
        for duration in duration_values(strip_money(sentence)):
            if duration not in facts.durations and (grant or duration not in facts.caller_durations):
                return Trip("ungrounded_policy_period", "figure")
    return None


# --- conduct ----------------------------------------------------------------------------------------------

_NEGATION = re.compile(
    r"\b(?:not|never|no|can't|cannot|can’t|won't|won’t|don't|don’t|isn't|isn’t|unable)\b[^.!?]{0,30}$", re.IGNORECASE
)
_COMPETITORS = (
    r"(?:(?i:amazon|walmart|e-?bay|etsy|best\s+buy|costco|alibaba|ali\s?express|temu|shein|wayfair|home\s+depot|"
    r"lowe'?s|ikea|barnes\s+(?:&|and)\s+noble|zappos|newegg|macy'?s|nordstrom|kohl'?s)|Target)"
)
_COMPETITOR = re.compile(
    r"\b(?i:try|trying|check(?:ing)?(?:\s+out)?|go(?:ing)?\s+to|head(?:ing)?\s+(?:over\s+)?to|visit(?:ing)?|"
    r"shop(?:ping)?\s+(?:at|on)|(?:buy|order|get)(?:ing)?\s+(?:it|one|them|that|this)?\s*(?:from|on|at)|"
    r"look(?:ing)?\s+(?:on|at)|recommend(?:ing)?|suggest(?:ing)?)\s+(?i:over\s+at\s+|at\s+|on\s+)?(?i:the\s+)?"
    rf"{_COMPETITORS}\b"
    rf"|\b{_COMPETITORS}\s+(?i:has|have|sells|carries|offers|is)\s+(?i:it\s+|them\s+|this\s+|that\s+)?"
    r"(?i:(?:much|a\s+lot|way)\s+)?(?i:cheaper|better|in\s+stock|for\s+less)"
    rf"|\b(?i:cheaper|better\s+(?:deal|price)s?|for\s+less|lower\s+prices?)\s+(?i:at|on|from)\s+{_COMPETITORS}\b"
)
_LEGAL = re.compile(
    r"\byou\s+(?:can|could|should|may\s+want\s+to|might\s+want\s+to)\s+(?:sue|file\s+(?:a\s+)?(?:law)?suit|"
    r"press\s+charges|take\s+(?:legal\s+action|(?:us|them|the\s+seller|him|her)\s+to\s+court))"
    r"|\b(?:that|this|it)(?:\s+is|'s|’s|\s+would\s+be)\s+(?:illegal|against\s+the\s+law|unlawful)"
    r"|\byou(?:\s+are|'re|’re)\s+legally\s+(?:entitled|required|allowed)"
    r"|\b(?:under|according\s+to)\s+(?:the\s+)?(?:law|(?:federal|state|consumer(?:\s+protection)?)\s+laws?)\b"
    r"|\bsmall[-\s]claims\s+court\b",
    re.IGNORECASE,
)
_MEDICAL = re.compile(
    r"\b(?:take|use|give)\s+(?:\w+\s+){0,2}?(?:\d+|one|two|three|four|half\s+an?)\s*(?:mg|milligrams?|pills?|"
    r"tablets?|capsules?|doses?|ml)\b"
    r"|\b(?:recommended|safe|correct|right|maximum)\s+dos(?:e|age)\b"
    r"|\byou\s+(?:should|could|can|need\s+to)\s+(?:take|stop\s+taking|start\s+taking)\s+(?:\w+\s+){0,2}?"
    r"(?:medication|medicine|pills?|ibuprofen|aspirin|acetaminophen|tylenol|antibiotics?|antihistamines?|insulin)\b"
    r"|\b(?:sounds|looks)\s+like\s+(?:you\s+have\s+)?(?:an?\s+)?(?:infection|allergic\s+reaction|concussion|"
    r"fracture|sprain)\b"
    r"|\byou\s+(?:don't|do\s+not)\s+need\s+(?:to\s+see\s+)?a\s+doctor\b",
    re.IGNORECASE,
)
_PROMISE = re.compile(
    r"\b(?:I|we)\s+(?:can\s+)?(?:promise|guarantee|assure\s+you)\b|\bguarantee[ds]?\b"
    r"|\byou(?:'ll|’ll|\s+will)\s+(?:definitely|certainly|surely|absolutely)\s+(?:get|receive|be)\b",
    re.IGNORECASE,
)
_INSULT = re.compile(
    r"\byou(?:'re|’re|\s+are)\s+(?:so\s+|such\s+|being\s+|really\s+)?(?:an?\s+)?(?:idiot|moron|stupid|dumb|useless|"
    r"pathetic|ridiculous|annoying|crazy)\b|\b(?:stupid|dumb|ridiculous)\s+question\b|\bwhat(?:'s|’s|\s+is)\s+wrong"
    r"\s+with\s+you\b",
    re.IGNORECASE,
)
_HUMAN_CLAIM = re.compile(
    r"\bI(?:'m|’m| am)\s+(?:a\s+|the\s+|your\s+)?(?:real\s+|live\s+)?(?:human|person)\b|"
    r"\b(?:this is|you're speaking (?:to|with)|you are speaking (?:to|with)) a (?:real |live )?(?:human|person)\b",
    re.IGNORECASE,
)
"""The agent saying it is a person ("I'm the human escalation agent", said by the offline model): callers
must know they are talking to an automated assistant."""
_AI_MODEL = re.compile(r"\bas\s+an\s+ai(?:\s+language)?\s+model\b", re.IGNORECASE)


@cache
def offensive_words() -> re.Pattern[str] | None:
    """The masked word list (``agents/guardrail_words.txt``) as one whole-word pattern; ``None`` if empty."""
    entries = []
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word = codecs.decode(line, "rot13")
        prefix = word.endswith("*")
        body = r"\s+".join(re.escape(part) for part in word.rstrip("*").split())
        entries.append(rf"{body}[^\W\d_]*" if prefix else body)
    if not entries:
        return None
    return re.compile(r"(?<![^\W\d_])(?:" + "|".join(entries) + r")(?![^\W\d_])", re.IGNORECASE)


def _negated(sentence: str, match: re.Match[str]) -> bool:
    return bool(_NEGATION.search(sentence[: match.start()]))


def conduct_trip(sentence: str, facts: GroundedFacts) -> Trip | None:
    """The conduct rules (see the module doc) for one sentence."""
    words = offensive_words()
    if words is not None:
        for word in words.finditer(sentence):
            if word.group(0).casefold() not in facts.folded:
                return Trip("offensive_language", "conduct")
    if (m := _INSULT.search(sentence)) is not None and not _negated(sentence, m):
        return Trip("offensive_language", "conduct")
    if _COMPETITOR.search(sentence):
        return Trip("competitor", "conduct")
    if (m := _LEGAL.search(sentence)) is not None and not _negated(sentence, m):
        return Trip("legal_advice", "conduct")
    if (m := _MEDICAL.search(sentence)) is not None and not _negated(sentence, m):
        return Trip("medical_advice", "conduct")
    for promise in _PROMISE.finditer(sentence):
        own = "guarantee" in promise.group(0).casefold() and "guarantee" in facts.folded
        if not _negated(sentence, promise) and not own:
            return Trip("promise", "conduct")
    if _AI_MODEL.search(sentence):
        return Trip("off_brand", "conduct")
    if _HUMAN_CLAIM.search(sentence):
        return Trip("claims_human", "conduct")
    return None


_VERDICT = re.compile(
    r"\b(?:can(?:not|'t|’t| not)?|could(?:n't|’t| not)?|is(?:n't|’t| not)?|are(?:n't|’t| not)?|isn't|aren't|"
    r"won't|will(?: not)?)\s+(?:be\s+|still\s+be\s+)?(?:eligible|ineligible|returnable|non-returnable|"
    r"returned|refunded|refundable|exchanged)\b|\b(?:not|in)eligible for (?:a )?(?:return|refund|exchange)\b|"
    r"\boutside (?:the|our|its) return window\b|\bno longer (?:eligible|returnable)\b",
    re.IGNORECASE,
)
"""A verdict on whether something may be returned, refunded or exchanged ("it can't be returned")."""
_VERDICT_GROUNDS = re.compile(r"eligib|returnable|be returned|return window|can return|refund|exchang", re.IGNORECASE)
"""What a tool result says when it settled such a question (the returns tools' outputs use these words)."""
_OPEN_QUESTION = re.compile(r"\b(?:whether|if)\b", re.IGNORECASE)
"""Words that leave the question open ("I'll check whether it can be returned")."""


def verdict_trip(sentence: str, facts: GroundedFacts) -> Trip | None:
    """The eligibility rule: a return, refund or exchange verdict needs a tool result of this request that
    speaks to it (the offline model said "The jacket is defective, so it can't be returned." before the
    eligibility check ran, and the check then found it returnable)."""
    if not _VERDICT.search(sentence) or _OPEN_QUESTION.search(sentence) or sentence.rstrip().endswith("?"):
        return None  # "I can check whether it can be returned." asks, it does not decide
    if not _VERDICT_GROUNDS.search(facts.tool_results):
        return Trip("ungrounded_verdict", "figure")
    return None


def check_sentence(sentence: str, facts: GroundedFacts) -> Trip | None:
    """Why ``sentence`` must not be spoken, or ``None``: identity digits, conduct, figures, then verdicts.

    Args:
        sentence: One sentence of a model reply.
        facts: The request's grounded facts.
    """
    if not sentence.strip():
        return None
    return (
        identity_trip(sentence, facts)
        or conduct_trip(sentence, facts)
        or figure_trip(sentence, facts)
        or verdict_trip(sentence, facts)
    )


# --- the guardrail over one reply ---------------------------------------------------------------------------


class OutputGuardrail(SentenceFilter):
    """Checks one model reply (a stream of text and chunks) before it is spoken.

    Args:
        ctx: The call (trips and notes are recorded on it).
        facts: The request's grounded facts.
        agent: Registry key of the agent replying (for logs and the classifier).
        classifier: The optional model classifier (``ctx.guardrail_classifier``).
    """

    def __init__(
        self,
        ctx: CustomerContext,
        facts: GroundedFacts,
        *,
        agent: str,
        classifier: GuardrailClassifier | None = None,
    ) -> None:
        self._ctx = ctx
        self._facts = facts
        self._agent = agent
        self._classifier = classifier
        super().__init__()
        self.trip: Trip | None = None
        """The first trip of this reply (``None``: nothing replaced)."""
        self.withheld = 0
        """Sentences not spoken (the tripped one and the rest of the reply)."""

    @classmethod
    def for_request(
        cls, ctx: CustomerContext, chat_ctx: ChatContext, tools: Iterable[llm.Tool], *, agent: str
    ) -> OutputGuardrail:
        """The guardrail of one LLM request: its facts, and the call's classifier if one is configured."""
        return cls(ctx, facts_for_request(ctx, chat_ctx, tools), agent=agent, classifier=ctx.guardrail_classifier)

    def _pass(self, sentences: list[str]) -> str:
        kept = []
        for sentence in sentences:
            if self.trip is not None:
                self.withheld += 1
                continue
            trip = check_sentence(sentence, self._facts)
            if trip is None:
                kept.append(sentence)
                continue
            self.withheld += 1
            self._record(trip)
            kept.append(trip.safe_line)
        return " ".join(kept) + " " if kept else ""

    def _record(self, trip: Trip) -> None:
        self.trip = trip
        logger.warning("output guardrail: %s replaced a line of its reply (%s)", self._agent, trip.reason)
        self._ctx.guardrail_trips.append(trip.reason)
        self._ctx.notes_for_model.append(trip.note)

    async def guard(self, stream: AsyncIterable[ChatChunk | str | Any]) -> AsyncIterator[ChatChunk | str | Any]:
        """The reply ``stream`` with its text checked; tool calls and usage pass unchanged.

        Without a classifier, checked sentences are yielded as soon as they are complete. With one, the
        text is held until the stream ends, then the classifier judges it (see the module doc).
        """
        held: list[str] = []
        async for chunk in stream:
            text: str | None = None
            if isinstance(chunk, str):
                text = chunk
            elif isinstance(chunk, ChatChunk) and chunk.delta is not None and chunk.delta.content:
                text = chunk.delta.content
                delta = chunk.delta
                if delta.tool_calls or chunk.usage is not None:
                    yield ChatChunk(
                        id=chunk.id,
                        delta=ChoiceDelta(role=delta.role, content=None, tool_calls=delta.tool_calls),
                        usage=chunk.usage,
                    )
            else:
                yield chunk
                continue
            if safe := self.feed(text):
                if self._classifier is None:
                    yield safe
                else:
                    held.append(safe)
        if rest := self.flush():
            if self._classifier is None:
                yield rest
            else:
                held.append(rest)
        if self.withheld > 1:
            logger.warning("output guardrail: withheld %d more sentence(s) after the trip", self.withheld - 1)
        if held:
            yield await self._classified("".join(held))

    async def _classified(self, reply: str) -> str:
        """``reply`` if the classifier allows it (or cannot answer), else the safe line of its category."""
        classifier = self._classifier
        if classifier is None or not reply.strip():
            return reply
        wait = min(max(float(getattr(classifier, "timeout_s", MAX_CLASSIFIER_WAIT_S)), 0.05), MAX_CLASSIFIER_WAIT_S)
        try:
            async with asyncio.timeout(wait):
                verdict = await classifier.classify(redact(reply.strip()), agent=self._agent)
        except TimeoutError:
            logger.warning("guardrail classifier %s timed out after %.2fs: rule layer only", classifier.model, wait)
            return reply
        except Exception as exc:  # an external system: any failure leaves the rule layer's decision
            logger.warning("guardrail classifier %s failed (%s): rule layer only", classifier.model, type(exc).__name__)
            return reply
        if not isinstance(verdict, GuardrailVerdict) or verdict.allowed:
            return reply
        category = verdict.category if verdict.category != "ok" else "off_brand"
        trip = Trip(f"classifier_{category}", "conduct")
        self.withheld += 1
        self._record(trip)
        return trip.safe_line


__all__ = [
    "SAFE_LINES",
    "GroundedFacts",
    "OutputGuardrail",
    "Trip",
    "check_sentence",
    "conduct_trip",
    "facts_for_request",
    "figure_trip",
    "identity_trip",
]
