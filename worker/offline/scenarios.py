"""Scripted model replies for the bundled demo call (``samples/calls/return_jacket``).

Used by ``simulate --llm scripted`` and the voice test: the audio path (VAD, STT, TTS, turn
taking, tools, handoff, database) is real; only the model's choices are fixed. The caller lines
are in ``samples/calls/return_jacket/script.txt``; there is one entry per caller turn, plus the
greeting. The caller is the demo customer Ava Thompson (see :mod:`services.demo_data`).
"""

from __future__ import annotations

from ..testing.scripted_llm import Reply

JACKET = {"order_number": "ORD-100101", "condition": "unused", "reason": "does not fit"}

RETURN_JACKET: list[list[Reply]] = [
    # greeting (on_enter of the authentication agent)
    [
        Reply.say(
            "Thanks for calling the Marketplace help desk. I'll verify your identity first. May I have your first name?"
        )
    ],
    # 01 Hi, I'd like to return a jacket I bought.
    [Reply.say("I can help with that return. First, may I have your first name?")],
    # 02 My first name is Ava.
    [
        Reply.call("record_first_name", first_name="Ava", caller_request="return a jacket"),
        Reply.say("Thanks, Ava. What is the phone number on your account?"),
    ],
    # 03 It's four one five, five five five, zero one three four.
    [
        Reply.call("record_phone_number", phone_number="4155550134"),
        Reply.say("I have four one five, five five five, zero one three four. Is that right?"),
    ],
    # 04 Yes, that's right.
    [Reply.call("confirm_phone_number", caller_says_correct=True), Reply.say("Thank you. What is your date of birth?")],
    # 05 April twelfth, nineteen eighty eight.
    [
        Reply.call("record_date_of_birth", date_of_birth="1988-04-12"),
        Reply.say("And the last four digits of your Social Security number or of your card on file? Please say which."),
    ],
    # 06 The last four of my social security number are four eight two one.
    [
        Reply.call("authenticate_user", last_four="4821", digits_type="ssn"),
        Reply.say("Thank you, you're verified. Is 221 Pine Street, San Francisco, still your address?"),
    ],
    # 07 Yes, that address is still correct.
    [
        Reply.call("save_address", address_is_current=True),
        Reply.call("read_disclosure"),
        Reply.say("Would you like to accept the offer, decline it, or have us remind you later?"),
    ],
    # 08 No thanks, not right now.
    [
        Reply.call("log_offer_response", response="DECLINED"),
        Reply.transfer("returns", "Caller wants to return a jacket"),
        Reply.say("Hi Ava, this is the returns desk. Which order is the jacket from?"),
    ],
    # 09 The order number is one zero zero one zero one.
    [Reply.say("Thanks. What condition is the jacket in, and why are you returning it?")],
    # 10 It's unworn, I just don't like the fit.
    [
        Reply.call("check_return_eligibility", order_number="ORD-100101", condition="unused"),
        Reply.call("initiate_return", **JACKET),
        Reply.say(
            "Good news: the Alpine rain jacket can be returned for a full refund of one hundred twenty-nine "
            "dollars. Shall I open the return?"
        ),
    ],
    # 11 Yes, please go ahead.
    [
        Reply.call("initiate_return", **JACKET),
        Reply.say("Done. Your return number is R E T five zero zero zero zero one. Anything else?"),
    ],
    # 12 No, that's all. Thank you, goodbye.
    [Reply.say("Thank you for calling, Ava. Goodbye!")],
]

SCENARIOS: dict[str, list[list[Reply]]] = {"return_jacket": RETURN_JACKET}
"""Scenario name (= folder name under ``samples/calls``) → replies per turn."""
