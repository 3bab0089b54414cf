"""Code routing of a plainly stated request: service domains first, then product domains."""

from __future__ import annotations

import pytest

from agents.steps.routing import looks_like_request, route_for_intent, route_for_request

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("said", "agent"),
    [
        ("I'd like to return a jacket I bought", "returns"),
        ("Where is my order?", "order_tracking"),
        # A product named in a tracking question is not browsing (found by the eval suite's scenarios).
        ("Hi, this is Ava. When will my headphones arrive?", "order_tracking"),
        ("Hello, I'm Ava. I'd like to check on my headphones order.", "order_tracking"),
        ("I'm calling to find out when my desk lamp will arrive.", "order_tracking"),
        ("I want to return something from my last order", "returns"),
        ("There's a suspicious charge on my card", "security"),
        ("Are there any deals on books right now?", "promotions"),
        ("Do you have any coupons?", "promotions"),
        ("I want to buy a book", "sales"),
        ("I'd like a price alert on a lamp", "advanced_features"),
        ("A question about a seller called Lakeside Home Goods", "seller_management"),
        ("Can you recommend something for me?", "personalization"),
        ("I'm looking for a mystery novel", "books"),
        ("Is this charger compatible with my phone?", "electronics"),
        ("What size of rain jacket should I get?", "fashion"),
        ("Do you have a sofa for a small living room?", "home"),
        ("Can I talk to a real person?", "human"),
        ("There's a charge on my card I don't recognise", "security"),
        ("I see an unknown charge on my statement", "security"),
    ],
)
def test_one_domain_routes(said: str, agent: str) -> None:
    assert route_for_request(said) == agent


@pytest.mark.parametrize(
    "said",
    [
        "I want to return it and buy another",  # two service domains
        "a jacket and a book",  # two product domains
        "Please put me through to the right desk",  # no domain ("desk" is not furniture here)
        "hello",
        # a billing error names a product but is no product question (found by the eval suite)
        "I was charged twice for my rain jacket",
        "I see a double charge for my jacket",
        "I was billed twice for my headphones",
    ],
)
def test_no_single_domain_is_left_to_the_model(said: str) -> None:
    assert route_for_request(said) is None


def test_a_service_domain_wins_over_a_product_word() -> None:
    assert route_for_request("I want to return the jacket") == "returns"
    assert route_for_request("where is my sofa delivery") == "order_tracking"


def test_requests_are_told_from_answers() -> None:
    assert looks_like_request("Hi, I'm looking for a mystery novel")
    assert not looks_like_request("My first name is Ava")


@pytest.mark.parametrize(
    ("said", "agent"),
    [
        # after verification a billing error goes to the escalation desk's ticket (found by the evals)
        ("I was charged twice for my last order. I'd like to make a complaint.", "human"),
        ("I see a double charge for my rain jacket", "human"),
        ("I was overcharged", "human"),
        ("I was charged twice and want a refund", "returns"),  # a service domain named: that one
        ("I want to return a jacket", "returns"),
        ("hello", None),
    ],
)
def test_a_verified_callers_request_routes_billing_errors_to_the_escalation_desk(said: str, agent: str | None) -> None:
    assert route_for_intent(said) == agent
    if agent == "human":
        assert route_for_request(said) is None, "a charge complaint is no request for a person"
