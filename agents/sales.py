"""The sales agent: new purchases: helping the caller choose, filling the cart and checking out."""

from __future__ import annotations

from livekit.agents import ChatContext

from tools.cart import CART_TOOLS
from tools.catalog import check_availability, check_stock, compare_products, get_product_details, search_products

from .base import MarketplaceAgent


class SalesAgent(MarketplaceAgent):
    """Finds products across the catalogue, fills the verified caller's cart, applies a code and places the order.

    Browsing is open to anyone; the cart, the code and the order are the caller's own, so those tools
    verify on demand (:func:`tools.access.verified_or_handoff`) and every change is read back by code.
    """

    name = "sales"
    description = "new purchases and product recommendations"
    requires_verified_customer = False
    """Browsing needs no verification; tools on the caller's own data verify on demand (:mod:`tools.access`)."""

    def __init__(self, *, chat_ctx: ChatContext | None = None) -> None:
        super().__init__(
            chat_ctx=chat_ctx,
            tools=[
                search_products,
                get_product_details,
                compare_products,
                check_availability,
                check_stock,
                *CART_TOOLS,
            ],
        )
