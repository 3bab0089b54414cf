"""Returns and order tracking flows: policy verdicts, confirmation before writes, ownership."""

from __future__ import annotations

import pytest

from services.demo_data import AVA
from worker.testing import Reply, ScriptedLLM, offline_call

from .helpers import handoffs, tool_calls, tool_outputs, turn

pytestmark = [pytest.mark.flow, pytest.mark.asyncio]

JACKET_RETURN = {"order_number": "ORD-100101", "condition": "unused", "reason": "does not fit"}


async def test_return_of_delivered_order_with_pickup_and_refund(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Hi Ava, returns here. Which order?")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        r = await turn(
            call,
            llm,
            "The jacket from order one zero zero one zero one, it's unworn",
            Reply.call("check_return_eligibility", order_number="100101", condition="unused"),
            Reply.say("Good news, it can be returned for a full refund. Shall I open the return?"),
        )
        _, output, is_error = tool_outputs(r)[0]
        assert not is_error and output.startswith("Eligible.") and "$129.00" in output

        r = await turn(
            call,
            llm,
            "Yes, it doesn't fit",
            Reply.call("initiate_return", **JACKET_RETURN),
            Reply.say("To confirm: return the Alpine rain jacket for $129.00. Shall I go ahead?"),
        )
        assert "Nothing is saved yet" in tool_outputs(r)[0][1]
        assert await call.query("select count(*) from returns") == [(0,)], "no write before the caller's yes"

        r = await turn(
            call,
            llm,
            "Yes, please go ahead",
            Reply.call("initiate_return", **JACKET_RETURN),
            Reply.say("Done, your return is open. When should we pick it up?"),
        )
        assert tool_outputs(r)[0][1].startswith("Opened. Return RET-500001")
        assert await call.query("select id, order_id, status, refund_cents, condition from returns") == [
            ("RET-500001", "ORD-100101", "initiated", 12900, "unused")
        ]

        pickup = {"return_number": "RET-500001", "date": "2026-11-20", "window": "morning"}
        await turn(
            call,
            llm,
            "Friday morning",
            Reply.call("schedule_pickup", **pickup),
            Reply.say("Friday, November 20, in the morning. Correct?"),
        )
        await turn(call, llm, "yes", Reply.call("schedule_pickup", **pickup), Reply.say("Booked. Refund method?"))
        refund = {"return_number": "RET-500001", "method": "original_payment"}
        await turn(
            call,
            llm,
            "to my card",
            Reply.call("process_refund", **refund),
            Reply.say("Refund $129.00 to your original payment. Okay?"),
        )
        r = await turn(call, llm, "yes", Reply.call("process_refund", **refund), Reply.say("Refunded."))
        assert "refunded to original payment" in tool_outputs(r)[0][1]
        assert await call.query("select status, pickup_date, pickup_window, refund_method from returns") == [
            ("refunded", "2026-11-20", "morning", "original_payment")
        ]
        assert call.userdata.actions[-3:] == [
            "Return RET-500001 opened for the Alpine rain jacket (ORD-100101)",
            "Pickup booked for RET-500001 on November 20 (morning)",
            "Refund of $129.00 issued for RET-500001",
        ]


async def test_undelivered_order_cannot_be_returned(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        args = {"order_number": "ORD-100102", "condition": "unused", "reason": "changed my mind"}
        r = await turn(
            call,
            llm,
            "Return the headphones from ORD-100102",
            Reply.call("check_return_eligibility", order_number="ORD-100102", condition="unused"),
            Reply.call("initiate_return", **args),
            Reply.say("That order hasn't been delivered yet, so it can't be returned."),
        )
        (_, check, _), (_, start, _) = tool_outputs(r)
        assert check.startswith("Not eligible.") and "only delivered orders can be returned" in check
        assert start.startswith("Not eligible, nothing was opened")
        assert call.userdata.pending is None
        assert await call.query("select count(*) from returns") == [(0,)]


async def test_no_write_without_explicit_yes(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        # Proposing and "confirming" in the same turn is not a confirmation.
        r = await turn(
            call,
            llm,
            "Return the jacket, order 100101, unworn",
            Reply.call("initiate_return", **JACKET_RETURN),
            Reply.call("initiate_return", **JACKET_RETURN),
            Reply.say("Shall I go ahead?"),
        )
        assert all("Nothing is saved yet" in out for _, out, _ in tool_outputs(r))
        r = await turn(
            call,
            llm,
            "No, wait, let me think",
            Reply.call("initiate_return", **JACKET_RETURN),
            Reply.say("Of course, take your time."),
        )
        assert tool_outputs(r)[0][2] is True and "did not clearly confirm" in tool_outputs(r)[0][1]
        assert await call.query("select count(*) from returns") == [(0,)]
        # A yes confirms only the exact action that was read back.
        await turn(
            call,
            llm,
            "Return it as defective then",
            Reply.call("initiate_return", **{**JACKET_RETURN, "condition": "defective"}),
            Reply.say("Return it as defective, okay?"),
        )
        r = await turn(call, llm, "yes", Reply.call("initiate_return", **JACKET_RETURN), Reply.say("Hmm."))
        assert "Nothing is saved yet" in tool_outputs(r)[0][1]
        assert await call.query("select count(*) from returns") == [(0,)]


async def test_another_customers_order_is_refused(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Order tracking here.")])
    async with offline_call(llm=llm, start_agent="order_tracking", verified_as=AVA, database_url=db_url) as call:
        r = await turn(
            call,
            llm,
            "Where is order ORD-100201?",
            Reply.call("track_order", order_number="ORD-100201"),
            Reply.call(
                "report_delivery_issue", order_number="ORD-100201", issue="missing", description="never arrived"
            ),
            Reply.say("I can't find that order on your account."),
        )
        for _, output, is_error in tool_outputs(r):
            assert is_error and "no order ORD-100201 on this caller's account" in output
        assert "32900" not in str(tool_outputs(r)) and "monitor" not in str(tool_outputs(r))
        assert await call.query("select count(*) from delivery_issues") == [(0,)]


async def test_tracking_and_delivery_change_for_own_order(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Order tracking here.")])
    async with offline_call(llm=llm, start_agent="order_tracking", verified_as=AVA, database_url=db_url) as call:
        r = await turn(
            call,
            llm,
            "Where are my headphones?",
            Reply.call("list_orders"),
            Reply.call("track_order", order_number="ORD-100102"),
            Reply.say("They're in transit."),
        )
        listing, status = (out for _, out, _ in tool_outputs(r))
        assert listing.count("Order ORD-") == 3 and "ORD-100201" not in listing
        assert "in transit, expected Friday, November 20 with FedEx" in status
        change = {"order_number": "ORD-100102", "new_date": "2026-11-23", "instructions": "leave with the concierge"}
        await turn(
            call,
            llm,
            "Can you deliver Monday instead, and leave it with the concierge?",
            Reply.call("modify_delivery", **change),
            Reply.say("Monday the 23rd, with the concierge. Okay?"),
        )
        r = await turn(call, llm, "yes", Reply.call("modify_delivery", **change), Reply.say("Done."))
        assert tool_outputs(r)[0][1].startswith("Done. Order ORD-100102")
        assert await call.query(
            "select expected_delivery, delivery_instructions from orders where id='ORD-100102'"
        ) == [("2026-11-23", "leave with the concierge")]


async def test_human_ticket_carries_the_transfer_summary(db_url: str) -> None:
    llm = ScriptedLLM([Reply.say("Returns here.")])
    async with offline_call(llm=llm, start_agent="returns", verified_as=AVA, database_url=db_url) as call:
        await turn(
            call,
            llm,
            "My card 7702 was charged twice, I want a person",
            Reply.transfer("human", "Double charge on the jacket order, caller wants a person"),
            Reply.say("I'm the escalation assistant."),
        )
        r = await turn(
            call,
            llm,
            "yes please",
            Reply.call("create_escalation_ticket", reason="Double charge on ORD-100101", priority="high"),
            Reply.say("A person will follow up, your ticket is TCK-900001."),
        )
        assert [n for n, _ in tool_calls(r)] == ["create_escalation_ticket"] and handoffs(r) == []
        assert "a person will follow up" in tool_outputs(r)[0][1]
        ((ticket_id, customer_id, priority, summary),) = await call.query(
            "select id, customer_id, priority, summary from tickets"
        )
        assert (ticket_id, customer_id, priority) == ("TCK-900001", "CUS-1001", "high")
        assert '"from_agent": "returns"' in summary and "Double charge on the jacket order" in summary
        assert "7702" not in summary and "4821" not in summary
