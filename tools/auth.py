"""The one authentication tool the model may call: a new address, in the caller's own words.

Identity capture, read-backs, the disclosure and the offer answer are led by code
(:mod:`agents.steps.verification`); the model never records them. Only a new address is
extracted by the model (street, city, state and ZIP are hard to parse from speech in code), and
then code checks every field against what the caller said, reads it back and waits for a yes.
"""

from __future__ import annotations

import logging
import re

from livekit.agents import RunContext, ToolError, function_tool
from livekit.agents.llm import ToolResult

from call.context import AuthStep, CustomerContext

from .common import free_text, service_errors
from .grounding import US_STATES, caller_said_digits, caller_said_state, caller_said_words
from .writes import propose_write

logger = logging.getLogger("marketplace.tools.auth")

Ctx = RunContext[CustomerContext]


@function_tool
async def save_address(context: Ctx, street: str, city: str, state: str, zip_code: str) -> ToolResult:
    """Save the caller's new address after they confirm it. Use exactly the caller's words.

    Args:
        street: Street line as the caller said it, e.g. "12 Oak Avenue, Apartment 3".
        city: City.
        state: Two-letter state code.
        zip_code: Five-digit ZIP code.
    """
    ctx = context.userdata
    if ctx.verification.step is not AuthStep.ADDRESS_NEW:
        raise ToolError("Not now: code leads verification; only call save_address when the caller gives a new address.")
    customer = ctx.require_identity()
    line1 = free_text(street, field="street", max_len=120)
    town = free_text(city, field="city", max_len=60)
    code = state.strip().upper()
    code = US_STATES.get(code.casefold(), code)
    if not re.fullmatch(r"[A-Z]{2}", code) or code not in US_STATES.values():
        raise ToolError("Use the two-letter code of a US state, e.g. CA for California.")
    zip5 = re.sub(r"\D", "", zip_code)
    if len(zip5) != 5:
        raise ToolError("The ZIP code must be five digits. Ask the caller for it.")
    unheard = [
        label
        for label, ok in (
            ("street", caller_said_words(ctx, line1)),
            ("city", caller_said_words(ctx, town)),
            ("state", caller_said_state(ctx, code)),
            ("ZIP code", caller_said_digits(ctx, zip5)),
        )
        if not ok
    ]
    if unheard:
        raise ToolError(
            f"The caller has not said this {' and '.join(unheard)}. Ask them for it; use only their own words."
        )

    async def _save() -> str:
        async with service_errors():
            saved = await ctx.services.customers.save_address(
                customer.id, line1=line1, city=town, region=code, postal_code=zip5
            )
        ctx.verification.address_on_file = saved
        ctx.note_action("Address updated")
        return "Your address is updated."

    return propose_write(
        context,
        name="save_address",
        arguments={"street": line1, "city": town, "state": code, "zip_code": zip5},
        read_back=f"I'll update your address to {line1}, {town}, {code} {' '.join(zip5)}.",
        execute=_save,
    )
