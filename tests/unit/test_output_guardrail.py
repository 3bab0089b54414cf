"""The output guardrail's rule layer: grounded facts of a request, the identity, figure and conduct rules,
and the stream filter (safe line, the rest withheld, the trip recorded and logged without the text).

The tool results below are the exact sentences the desk's tools return in the flow tests
(``tests/flows/test_sales_and_promotions.py``, ``tests/flows/test_returns_and_orders.py``).
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
from collections.abc import AsyncIterator

import pytest
from livekit.agents import ChatContext
from livekit.agents.llm import ChatChunk, ChoiceDelta, FunctionCall, FunctionCallOutput, FunctionToolCall

from agents.output_guardrail import (
    SAFE_ADVICE,
    SAFE_COMPETITOR,
    SAFE_CONDUCT,
    SAFE_FIGURE,
    SAFE_IDENTITY,
    SAFE_PROMISE,
    SAFE_VERDICT,
    GroundedFacts,
    OutputGuardrail,
    Trip,
    check_sentence,
    facts_for_request,
    offensive_words,
)
from call.context import CustomerContext
from call.figures import allowed_amounts, amount_grounded, duration_values, money_values, percent_values
from services.demo_data import AVA
from tools.promotions import check_eligibility
from tools.returns import process_refund

pytestmark = pytest.mark.unit

BOOKS15 = "Code BOOKS15 applies: $3.60 off (15% off books items, on $24.00 of the cart)."
TAKE20 = (
    "Code TAKE20 takes $20.00 off. With it the cart would be $215.69: $223.00 minus $20.00, plus $12.69 tax "
    "and free shipping. It is not applied yet."
)
JACKET = "The Alpine rain jacket can be returned until December 8 for a refund of $129.00."
POLICY = "Electronics: returns within 15 days of delivery (90 days if defective); 15% restocking fee on opened items."
TRACKING = "ORD-100102 is in transit with UPS, tracking 1Z1001020184; last scan Nov 17 21:40: Departed facility."
SELLER = "Northwind Audio answers on 800-555-0199 between 9 and 5."
TOOL_RESULTS = (BOOKS15, TAKE20, JACKET, POLICY, TRACKING, SELLER)

FACTS = GroundedFacts.build(
    TOOL_RESULTS,
    [
        "I'm looking for a rain jacket under fifty dollars",
        "my order is one zero zero one zero one",
        "and do you have a 20% off code?",
    ],
    date_of_birth=AVA.date_of_birth,
    last_fours=[AVA.ssn_last4],
    order_digits="100101",
    tool_results=TOOL_RESULTS,
)


def reason(sentence: str, facts: GroundedFacts = FACTS) -> str | None:
    trip = check_sentence(sentence, facts)
    return trip.reason if trip else None


# --- figures ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "The jacket can go back until December 8 for a refund of $129.00.",
        "Your refund would be 129 dollars.",
        "That's one hundred twenty-nine dollars back to your card.",
        "BOOKS15 saves $3.60 on your books.",
        "$20 off.",  # $20 == $20.00 of the tool result
        "With TAKE20 your total is $215.69.",
        "That's $223.00 before the code.",
        "Both together come to $243.00.",  # $223.00 + $20.00: the sum of two grounded amounts
        "That's 15% off books.",
        "Electronics can be returned within 15 days of delivery.",
        "If it's defective you have 90 days.",
        "There's a 15 percent restocking fee on opened items.",
        "Here are rain jackets under $50.",  # the caller's own figure, in a sentence that grants nothing
        "We don't have a 20% off code today.",
        "Your order ORD-100101 has 2 items.",
        "Two items are in your cart.",
        "It arrives by Thursday.",
        "Pickup is in the morning, between 8 and 12.",
        "It should arrive in 2 days.",  # a duration outside a policy statement
        "I found three jackets in sizes 8, 10 and 12.",
        "It's size 10, in navy.",
        "Your pickup is on Friday, November 20.",
        "It was delivered on November 8, 2026.",
        "The last scan was at 9:40 pm.",
        "It's rated 4.5 stars.",
        "Let me look up order 100101.",  # the order number the caller said
        "The tracking number is 1Z1001020184.",
        "You can reach the seller on 800-555-0199.",  # a phone number a tool gave
    ],
)
def test_grounded_or_benign_sentences_pass(sentence: str) -> None:
    assert reason(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("You'll get a $50 refund.", "ungrounded_amount"),
        ("I'll refund you $50 for the trouble.", "ungrounded_amount"),  # the caller said fifty: not for a grant
        ("That jacket is $89.99.", "ungrounded_amount"),
        ("It costs twelve dollars and fifty cents.", "ungrounded_amount"),
        ("Shipping is 7 dollars.", "ungrounded_amount"),
        ("You'll get 20% off with that code.", "ungrounded_percentage"),  # the caller's 20%, in a grant
        ("There's a 10 percent discount today.", "ungrounded_percentage"),
        ("You can return it within 30 days.", "ungrounded_policy_period"),
        ("Refunds take 5 to 7 business days.", "ungrounded_policy_period"),
        ("It has a 2-year warranty.", "ungrounded_policy_period"),
        ("The return window is sixty days.", "ungrounded_policy_period"),
    ],
)
def test_figures_no_tool_gave_trip(sentence: str, expected: str) -> None:
    assert reason(sentence) == expected


def test_with_no_tool_result_every_amount_trips_and_with_one_it_passes() -> None:
    nothing = GroundedFacts.build([])
    assert reason("Your refund is $129.00.", nothing) == "ungrounded_amount"
    assert reason("Your refund is $129.00.", GroundedFacts.build([JACKET])) is None
    assert reason("You have 30 days.", nothing) is None  # not a policy sentence
    assert reason("You can return it within 30 days.", GroundedFacts.build(["returns within 30 days"])) is None


# --- identity digits ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Your Social Security number is 123-45-6789.", "ssn_digits"),
        ("That's 1 2 3 4 5 6 7 8 9.", "ssn_digits"),
        ("The card on file is 4111 1111 1111 1111.", "card_digits"),
        ("Card number 4111111111111111 is on file.", "card_digits"),
        ("Your date of birth is April 12, 1988.", "date_of_birth"),
        ("I have you as born on the twelfth of April, nineteen eighty-eight.", "date_of_birth"),
        ("Born 4/12/88, correct?", "date_of_birth"),
        ("You were born on April 12th.", "date_of_birth"),
        ("So you were born in 1988.", "date_of_birth"),
        ("Your last four are 4821.", "last_four"),
        ("The last four I heard were 4, 8, 2, 1.", "last_four"),
        ("Was that four eight two one?", "last_four"),
        ("Your number is 415-555-0134.", "phone_number"),
        ("Your number is four one five, five five five, zero one three four.", "phone_number"),
        ("Your zip code is 94104.", "personal_digits"),
        ("Your PIN is 7702.", "personal_digits"),
    ],
)
def test_identity_digits_trip(sentence: str, expected: str) -> None:
    assert reason(sentence) == expected


def test_identity_digits_are_not_grounded_by_the_callers_words() -> None:
    facts = GroundedFacts.build([], ["my number is 415 555 0134"])
    assert reason("Your number is 415 555 0134.", facts) == "phone_number"


def test_a_date_of_birth_is_only_a_trip_for_this_caller() -> None:
    assert reason("Your date of birth is April 12, 1988.", GroundedFacts.build([])) is None  # a past date, no DOB
    other = GroundedFacts.build([], date_of_birth=dt.date(1975, 11, 3))
    assert reason("It shipped on April 12, 1988.", other) is None
    assert reason("Born November 3rd, 1975.", other) == "date_of_birth"


# --- conduct ------------------------------------------------------------------------------------------------


def _masked(entry: str) -> str:
    """A listed word, decoded at test time so that the test file does not spell it out either."""
    return codecs.decode(entry, "rot13")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (f"That's {_masked('shpxvat')} ridiculous.", "offensive_language"),
        (f"What a {_masked('ovgpu')} of a day.", "offensive_language"),
        (f"Don't be an {_masked('vqvbg')}.", "offensive_language"),
        ("You're so stupid.", "offensive_language"),
        ("That's a stupid question.", "offensive_language"),
        ("You should try Amazon for that.", "competitor"),
        ("You could buy it on eBay instead.", "competitor"),
        ("Check out Best Buy, they have it.", "competitor"),
        ("Walmart has it cheaper.", "competitor"),
        ("It's cheaper at Target.", "competitor"),
        ("You could sue the seller.", "legal_advice"),
        ("That's illegal under consumer law.", "legal_advice"),
        ("Take it to small claims court.", "legal_advice"),
        ("You should take ibuprofen for that.", "medical_advice"),
        ("Take two tablets every four hours.", "medical_advice"),
        ("That sounds like an infection.", "medical_advice"),
        ("I promise you'll get it by Friday.", "promise"),
        ("It's guaranteed to arrive tomorrow.", "promise"),
        ("You'll definitely get your money back.", "promise"),
        ("As an AI language model, I can't have opinions.", "off_brand"),
    ],
)
def test_offensive_or_off_brand_lines_trip(sentence: str, expected: str) -> None:
    assert reason(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Our classic assistant can help with that.",  # whole words only
        "I found a raccoon plush in toys.",
        "The flame retardant blanket is in stock.",
        "We don't price-match Amazon.",  # a mention, not a recommendation
        "Set a target price for the alert?",  # "target" lower case is not the store
        "There's no such thing as a stupid question.",
        "That's not a stupid question at all.",
        "I can't give legal or medical advice.",
        "I can't promise that, but I can check.",
        "We don't guarantee delivery dates.",
        "Is there anything else I can help you with?",
    ],
)
def test_benign_lines_pass(sentence: str) -> None:
    assert reason(sentence) is None


def test_a_listed_word_from_a_tool_result_is_not_a_trip() -> None:
    title = f"The {_masked('Onfgneq')} of Istanbul"
    assert reason(f"We have {title} in paperback.", GroundedFacts.build([])) == "offensive_language"
    assert reason(f"We have {title} in paperback.", GroundedFacts.build([f"Found: {title}, $14.99."])) is None


def test_a_products_own_guarantee_from_a_tool_is_not_a_promise() -> None:
    facts = GroundedFacts.build(["The skillet comes with a lifetime guarantee from the maker."])
    assert reason("It comes with a lifetime guarantee.", facts) is None
    assert reason("It comes with a lifetime guarantee.", GroundedFacts.build([])) == "promise"


def test_the_word_list_is_masked_and_loads() -> None:
    from agents.output_guardrail import WORDS_FILE

    raw = WORDS_FILE.read_text(encoding="utf-8")
    assert _masked("shpx") not in raw, "the data file keeps the words masked"
    pattern = offensive_words()
    assert pattern is not None and pattern.search(_masked("shpx"))


# --- call.figures -------------------------------------------------------------------------------------------


def test_figures_reads_written_and_spoken_forms() -> None:
    assert money_values("$1,299.99, 129 dollars and 5 cents, nine dollars and ninety-nine cents") == [
        129999,
        12905,
        999,
    ]
    assert money_values("a hundred bucks, fifty cents, 12.50 USD") == [10000, 50, 1250]
    assert money_values("2 items, size 10, 12.50") == []
    assert percent_values("15%, five percent, 2.5 per cent") == [15.0, 5.0, 2.5]
    assert duration_values("3–5 business days; every 2, 4 or 8 weeks; a 30-day window") == [
        (3, "day"),
        (5, "day"),
        (2, "week"),
        (4, "week"),
        (8, "week"),
        (30, "day"),
    ]
    assert amount_grounded(24300, [22300, 2000]) and amount_grounded(20300, [22300, 2000])
    assert not amount_grounded(5000, [22300, 2000])
    assert 0 in allowed_amounts([100])


# --- facts of a request -------------------------------------------------------------------------------------


def _request_chat_ctx() -> ChatContext:
    chat = ChatContext.empty()
    chat.add_message(
        role="system",
        content=(
            "TRANSFER SUMMARY: transferred from the sales agent to you (returns).\n"
            "Reason: Caller is owed $500 and wants it now.\n"
            "Caller's intent: I want my $300 back.\n"
            "Already done in this call: Refund of $45.00 issued for RET-500001."
        ),
    )
    chat.add_message(role="user", content="How much do I get for the jacket? I think it's $75.")
    chat.items.append(FunctionCall(call_id="c1", name="check_return_eligibility", arguments="{}"))
    chat.items.append(FunctionCallOutput(call_id="c1", name="check_return_eligibility", output=JACKET, is_error=False))
    chat.add_message(role="assistant", content="I'll open the return for $129.00. Shall I go ahead?")
    return chat


def test_facts_of_a_request_come_from_tools_spoken_lines_and_code_not_from_model_or_caller_claims() -> None:
    ctx = CustomerContext(services=None)  # type: ignore[arg-type]  # the facts read no service
    ctx.record_user_turn("How much do I get for the jacket? I think it's $75.")
    ctx.record_user_turn("my social is 4821")
    ctx.notes_for_model.append("process_refund could not be done, nothing changed: the refund of $12.00 is pending.")
    ctx.actions.append("Price alert ALR-0001 set for the skillet at $45.00")
    facts = facts_for_request(ctx, _request_chat_ctx(), [process_refund, check_eligibility])
    assert 12900 in facts.amounts  # the tool result (and the spoken read-back)
    assert 4500 in facts.amounts and 1200 in facts.amounts  # code's action log and notes
    assert 50000 not in facts.amounts  # the transferring model's reason is not a fact
    assert 30000 not in facts.amounts  # nor the caller's intent
    assert 7500 not in facts.amounts and 7500 in facts.caller_amounts  # the caller's words: a weaker source
    assert (3, "day") in facts.durations and (5, "day") in facts.durations  # process_refund's argument text
    assert facts.last_fours == frozenset({"4821"})
    assert reason("Refunds to your card take three to five business days.", facts) is None
    assert reason("You'll get $75 back.", facts) == "ungrounded_amount"


def test_facts_hold_the_verified_callers_date_of_birth() -> None:
    ctx = CustomerContext(services=None)  # type: ignore[arg-type]
    ctx.verification.date_of_birth = AVA.date_of_birth
    facts = facts_for_request(ctx, ChatContext.empty())
    assert facts.date_of_birth == AVA.date_of_birth
    assert reason("You were born April 12, 1988.", facts) == "date_of_birth"


# --- the stream filter -------------------------------------------------------------------------------------


async def _stream(*pieces: str | ChatChunk) -> AsyncIterator[str | ChatChunk]:
    for piece in pieces:
        yield piece


async def _collect(guardrail: OutputGuardrail, *pieces: str | ChatChunk) -> tuple[str, list[ChatChunk]]:
    text, chunks = [], []
    async for out in guardrail.guard(_stream(*pieces)):
        if isinstance(out, str):
            text.append(out)
        else:
            chunks.append(out)
    return "".join(text), chunks


def _context() -> CustomerContext:
    return CustomerContext(services=None)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_a_trip_replaces_the_sentence_withholds_the_rest_and_is_recorded_without_the_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ctx = _context()
    guardrail = OutputGuardrail(ctx, GroundedFacts.build([JACKET]), agent="returns")
    with caplog.at_level(logging.WARNING, logger="marketplace.agents.guardrail"):
        text, _ = await _collect(
            guardrail, "Sure, I can help. ", "Your refund will be $75. ", "Would you like it on your card?"
        )
    assert text.strip() == f"Sure, I can help. {SAFE_FIGURE}"
    assert ctx.guardrail_trips == ["ungrounded_amount"]
    assert guardrail.withheld == 2
    (note,) = ctx.notes_for_model
    assert "no tool result gave" in note and SAFE_FIGURE in note and "$75" not in note
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "ungrounded_amount" in logged and "$75" not in logged and "refund will be" not in logged


@pytest.mark.asyncio
async def test_grounded_text_streams_unchanged_and_tool_calls_pass() -> None:
    ctx = _context()
    guardrail = OutputGuardrail(ctx, GroundedFacts.build([JACKET]), agent="returns")
    call = FunctionToolCall(name="initiate_return", arguments="{}", call_id="c9")
    chunk = ChatChunk(
        id="r1", delta=ChoiceDelta(role="assistant", content="The refund is $129.00. ", tool_calls=[call])
    )
    text, chunks = await _collect(guardrail, chunk, "Shall I open it?")
    assert text == "The refund is $129.00. Shall I open it?"
    assert [c.delta.tool_calls for c in chunks if c.delta] == [[call]]
    assert ctx.guardrail_trips == [] and ctx.notes_for_model == []


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("line", "safe"),
    [
        ("Your date of birth is April 12, 1988.", SAFE_IDENTITY),
        ("You should try Amazon.", SAFE_COMPETITOR),
        ("You could sue them.", SAFE_ADVICE),
        ("I promise it arrives tomorrow.", SAFE_PROMISE),
        (f"What the {_masked('shpx')}.", SAFE_CONDUCT),
    ],
)
async def test_each_kind_has_its_safe_line(line: str, safe: str) -> None:
    ctx = _context()
    facts = GroundedFacts.build([], date_of_birth=AVA.date_of_birth)
    text, _ = await _collect(OutputGuardrail(ctx, facts, agent="sales"), line)
    assert text.strip() == safe
    assert len(ctx.guardrail_trips) == 1


def test_the_calls_cache_holds_trusted_texts_only_never_the_callers_words() -> None:
    ctx = _context()
    ctx.record_user_turn("my social ends in 4821 and I paid $75")
    chat = _request_chat_ctx()
    first = facts_for_request(ctx, chat, [process_refund])
    assert JACKET in ctx.guardrail_cache
    assert not any("4821" in key or "$75" in key for key in ctx.guardrail_cache)
    again = facts_for_request(ctx, chat, [process_refund])
    assert again == first


@pytest.mark.parametrize(
    "sentence",
    [
        "The jacket is defective, so it can't be returned.",  # the offline model, before the check ran
        "Yes, it can be returned.",
        "Items bought on sale are not eligible for a refund.",
        "That order is outside the return window.",
        "It won't be refunded.",
    ],
)
def test_an_eligibility_verdict_needs_a_tool_result(sentence: str) -> None:
    assert check_sentence(sentence, GroundedFacts.build(["Order ORD-100101: Alpine rain jacket, delivered"])) == Trip(
        "ungrounded_verdict", "figure"
    )
    checked = GroundedFacts.build(
        ["x"], tool_results=["ORD-100101 Alpine rain jacket: eligible for return until December 2; refund $129.00"]
    )
    assert check_sentence(sentence, checked) is None
    assert Trip("ungrounded_verdict", "figure").safe_line == SAFE_VERDICT


@pytest.mark.parametrize(
    "sentence",
    ["I can check whether it can be returned.", "Can it be returned?", "Would you like it refunded to your card?"],
)
def test_an_open_question_about_eligibility_is_not_a_verdict(sentence: str) -> None:
    assert check_sentence(sentence, GroundedFacts.build(["nothing checked yet"])) is None


@pytest.mark.parametrize(
    "sentence",
    ["I'm the human escalation agent.", "I am a real person, not a bot.", "You're speaking with a live person."],
)
def test_the_agent_never_claims_to_be_a_person(sentence: str) -> None:
    assert reason(sentence) == "claims_human"
    assert Trip("claims_human", "conduct").safe_line == "Just so you know, I'm the desk's automated assistant."


@pytest.mark.parametrize(
    "sentence",
    [
        "I'm not a person, I'm the desk's automated assistant.",
        "A person will follow up by email.",
        "I'm happy to help.",
    ],
)
def test_talking_about_people_is_not_a_claim(sentence: str) -> None:
    assert reason(sentence) is None
