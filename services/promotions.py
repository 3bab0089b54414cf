"""Promotions and their rules in code: dates, categories, minimum spend, membership, once per customer,
one per order.

The rules of a promotion (a row of ``promotions``), checked by :func:`evaluate` in this order; the
first that fails is reported with its facts (:class:`~services.views.PromotionCheck`):

1. **dates**: the code works from ``starts_on`` to ``ends_on``, both inclusive (``promo_not_started``,
   ``promo_expired``);
2. **membership**: a tier-only promotion needs that loyalty tier or a higher one
   (:data:`TIER_RANK`; ``promo_membership``);
3. **once per customer**: a code already redeemed on one of the caller's orders cannot be used again
   (``promo_already_used``; also a unique constraint of ``promotion_redemptions``);
4. **category**: only cart lines of the promotion's category count; none in the cart fails
   (``promo_category``);
5. **minimum spend**: the lines that count must add up to ``min_spend_cents`` before the discount
   (``promo_min_spend``).

The discount (:func:`discount_for`): a percentage of the lines that count (rounded half up to the
cent) or a fixed amount, limited by the promotion's cap and never more than the lines that count.
**One promotion per order**: a cart holds at most one (``cart_promotions``); another replaces it only
when the caller confirmed the replacement (``replace=True``; ``promo_one_per_order`` otherwise).

Callers say codes aloud: :func:`spoken_code_candidates` turns "save ten", "s a v e 1 0" or "the code
is SAVE-10" into ``SAVE10``. Matching is exact after that normalisation (no fuzzy matching: a
near-miss of a real code must not unlock it).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .clock import Clock
from .commerce_models import CartItem, CartPromotion, Promotion, PromotionRedemption
from .db import Database
from .errors import ErrorCode, InvalidStateError, NotFoundError, ServiceError, checked_text
from .models import Customer, Product, ProductVariant
from .number_words import numerals
from .views import CartLineView, PromotionCheck, PromotionView

TIER_RANK: dict[str, int] = {"standard": 0, "silver": 1, "gold": 2, "platinum": 3}
"""Loyalty tiers, lowest first: a promotion for a tier is open to that tier and the ones above it."""
MAX_CODE_TEXT = 60
"""Longest code text accepted as said by the caller (``"the code is s a v e one zero"``), in characters."""
MAX_CODE_LEN = 24
"""Longest promotion code (the ``promotions.code`` column)."""

_FILLER = frozenset(
    {
        "the",
        "code",
        "codes",
        "promo",
        "promotion",
        "promotional",
        "coupon",
        "voucher",
        "discount",
        "is",
        "its",
        "my",
        "use",
        "apply",
        "please",
        "percent",
        "off",
        "um",
        "uh",
        "er",
        "oh",
        "ok",
        "okay",
        "so",
        "well",
        "yes",
        "yeah",
    }
)
"""Words a caller puts around a code ("the promo code is save ten percent off"), dropped when the whole
phrase is not a code itself."""


def spoken_code_candidates(text: str) -> tuple[str, ...]:
    """The promotion codes a caller's words can mean, most literal first (at most two, upper-case).

    Letters and digits are joined (``"s a v e 1 0"``, ``"SAVE-10"`` → ``SAVE10``); number words become
    digits (``"ten"`` → ``10``, ``"twenty five"`` → ``25``, ``"one zero"`` → ``10``, ``"oh"`` after a
    digit → ``0``); ``%`` is read as "percent". The second candidate drops filler words such as "the
    code is", "percent" and "off" (``"save ten percent off"`` → ``SAVE10``).

    Args:
        text: What the caller said, e.g. ``"the code is save ten"``.

    Returns:
        Distinct non-empty candidates of at most :data:`MAX_CODE_LEN` characters (possibly none).
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("%", " percent ")
    folded = re.sub(r"['’]", "", folded)
    tokens = re.findall(r"[a-z]+|[0-9]+", folded, flags=re.ASCII)
    words = numerals(tokens)
    literal = "".join(words).upper()
    trimmed = "".join(w for w in words if w not in _FILLER).upper()
    found: list[str] = []
    for candidate in (literal, trimmed):
        if candidate and len(candidate) <= MAX_CODE_LEN and candidate not in found:
            found.append(candidate)
    return tuple(found)


def normalise_code(text: str) -> str:
    """The most literal reading of a spoken code (``"save ten"`` → ``"SAVE10"``), or ``""``."""
    candidates = spoken_code_candidates(text)
    return candidates[0] if candidates else ""


def promotion_view(p: Promotion) -> PromotionView:
    """Snapshot an ORM promotion."""
    return PromotionView(
        code=p.code,
        description=p.description,
        kind=p.kind,
        value=p.value,
        category=p.category,
        min_spend_cents=p.min_spend_cents,
        membership_tier=p.membership_tier,
        starts_on=p.starts_on,
        ends_on=p.ends_on,
        max_discount_cents=p.max_discount_cents,
    )


def discount_for(promotion: PromotionView, eligible_subtotal_cents: int) -> tuple[int, bool]:
    """The discount on ``eligible_subtotal_cents`` and whether the cap limited it.

    Percentages are rounded half up to the cent; the discount never exceeds the promotion's cap nor
    the subtotal of the lines that count.
    """
    if promotion.kind == "percent":
        raw = (eligible_subtotal_cents * promotion.value + 50) // 100
    else:
        raw = promotion.value
    capped = promotion.max_discount_cents is not None and raw > promotion.max_discount_cents
    amount = min(raw, promotion.max_discount_cents) if promotion.max_discount_cents is not None else raw
    return max(0, min(amount, eligible_subtotal_cents)), capped


def evaluate(
    promotion: PromotionView,
    lines: Sequence[CartLineView],
    *,
    customer_tier: str,
    today: dt.date,
    used_on_order: str | None,
) -> PromotionCheck:
    """Apply a promotion's rules (module docstring, in order) to a cart.

    Args:
        promotion: The promotion.
        lines: The caller's cart lines (may be empty).
        customer_tier: The caller's loyalty tier.
        today: The day the rules are checked on.
        used_on_order: The caller's order the code was already redeemed on, or ``None``.

    Returns:
        The verdict: eligible with the discount, or the first failed rule and its facts.
    """
    counted = [line for line in lines if promotion.category is None or line.category == promotion.category]
    eligible_subtotal = sum(line.line_total_cents for line in counted)
    code = promotion.code

    def failed(rule: ErrorCode, **facts: object) -> PromotionCheck:
        return PromotionCheck(promotion, False, eligible_subtotal, 0, False, rule.value, tuple(facts.items()))

    if today < promotion.starts_on:
        return failed(ErrorCode.PROMO_NOT_STARTED, code=code, starts_on=promotion.starts_on)
    if today > promotion.ends_on:
        return failed(ErrorCode.PROMO_EXPIRED, code=code, ended_on=promotion.ends_on)
    tier = promotion.membership_tier
    if tier is not None and TIER_RANK.get(customer_tier, 0) < TIER_RANK.get(tier, len(TIER_RANK)):
        return failed(ErrorCode.PROMO_MEMBERSHIP, code=code, tier=tier, customer_tier=customer_tier)
    if used_on_order is not None:
        return failed(ErrorCode.PROMO_ALREADY_USED, code=code, order_id=used_on_order)
    if promotion.category is not None and not counted:
        return failed(ErrorCode.PROMO_CATEGORY, code=code, category=promotion.category)
    if eligible_subtotal < promotion.min_spend_cents:
        return failed(
            ErrorCode.PROMO_MIN_SPEND,
            code=code,
            category=promotion.category,
            min_spend_cents=promotion.min_spend_cents,
            eligible_subtotal_cents=eligible_subtotal,
            short_cents=promotion.min_spend_cents - eligible_subtotal,
        )
    amount, capped = discount_for(promotion, eligible_subtotal)
    return PromotionCheck(promotion, True, eligible_subtotal, amount, capped, None, ())


def refusal(check: PromotionCheck) -> ServiceError:
    """The typed error of a failed check (its ``failed_rule`` and ``facts``), to raise or to phrase.

    Raises:
        ValueError: the check passed (there is nothing to refuse).
    """
    if check.failed_rule is None:
        raise ValueError(f"promotion {check.promotion.code} is eligible")
    return InvalidStateError(ErrorCode(check.failed_rule), **dict(check.facts))


async def load_cart_lines(session: AsyncSession, customer_id: str) -> list[CartLineView]:
    """The customer's cart lines at current prices and stock, in the order they were added."""
    rows = await session.execute(
        select(CartItem, ProductVariant, Product)
        .join(ProductVariant, ProductVariant.id == CartItem.variant_id)
        .join(Product, Product.sku == ProductVariant.sku)
        .where(CartItem.customer_id == customer_id)
        .order_by(CartItem.id)
    )
    return [
        CartLineView(
            variant_id=variant.id,
            sku=product.sku,
            name=product.name,
            category=product.category,
            size=variant.size,
            colour=variant.colour,
            format=variant.format,
            unit_price_cents=variant.price_cents,
            quantity=item.quantity,
            stock=variant.stock,
        )
        for item, variant, product in rows
    ]


async def find_promotion(session: AsyncSession, code: object) -> Promotion:
    """The promotion the caller's words name (see :func:`spoken_code_candidates`).

    Raises:
        NotFoundError: ``promo_not_found`` (``code`` is the most literal reading, or the text shortened).
        InvalidInputError: ``not_text``, ``text_not_encodable``, ``field_missing`` or ``field_too_long``
            (``field`` is ``promotion code``).
    """
    text = checked_text(code, field="promotion code", max_len=MAX_CODE_TEXT)
    candidates = spoken_code_candidates(text)
    if candidates:
        rows = {p.code: p for p in await session.scalars(select(Promotion).where(Promotion.code.in_(candidates)))}
        for candidate in candidates:
            if candidate in rows:
                return rows[candidate]
    shown = candidates[0] if candidates else re.sub(r"\s+", "", text)[:MAX_CODE_LEN].upper()
    raise NotFoundError(ErrorCode.PROMO_NOT_FOUND, code=shown)


async def redeemed_on(session: AsyncSession, customer_id: str, code: str) -> str | None:
    """The caller's order the code was redeemed on, or ``None``."""
    found: str | None = await session.scalar(
        select(PromotionRedemption.order_id).where(
            PromotionRedemption.customer_id == customer_id, PromotionRedemption.code == code
        )
    )
    return found


async def check_code(
    session: AsyncSession, customer: Customer, promotion: Promotion, lines: Sequence[CartLineView], today: dt.date
) -> PromotionCheck:
    """:func:`evaluate` a promotion for the customer's cart, reading their redemptions."""
    return evaluate(
        promotion_view(promotion),
        lines,
        customer_tier=customer.loyalty_tier,
        today=today,
        used_on_order=await redeemed_on(session, customer.id, promotion.code),
    )


async def applied_check(
    session: AsyncSession, customer: Customer, lines: Sequence[CartLineView], today: dt.date
) -> PromotionCheck | None:
    """The promotion on the customer's cart, evaluated now, or ``None`` when the cart has none."""
    applied = await session.get(CartPromotion, customer.id)
    if applied is None:
        return None
    promotion = await session.get(Promotion, applied.code)
    if promotion is None:
        return None
    return await check_code(session, customer, promotion, lines, today)


async def load_customer(session: AsyncSession, customer_id: str) -> Customer:
    """The customer row.

    Raises:
        NotFoundError: ``customer_not_found``.
    """
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError(ErrorCode.CUSTOMER_NOT_FOUND, customer_id=customer_id)
    return customer


class PromotionService:
    """Current promotions, eligibility and discounts on the verified caller's cart.

    Every method that reads a cart takes the customer id from the verified caller's context.

    Args:
        db: Database.
        clock: Source of "today" for the promotions' dates.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def current_promotions(self, category: str | None = None) -> list[PromotionView]:
        """Promotions active today, soonest-ending first.

        Args:
            category: Only promotions that apply to this category (its own and the sitewide ones);
                ``None`` for all.
        """
        today = self._clock.today()

        async def _current(session: AsyncSession) -> list[PromotionView]:
            query = select(Promotion).where(Promotion.starts_on <= today, Promotion.ends_on >= today)
            if category is not None:
                query = query.where(or_(Promotion.category.is_(None), Promotion.category == category))
            rows = await session.scalars(query.order_by(Promotion.ends_on, Promotion.code))
            return [promotion_view(p) for p in rows]

        return await self._db.run(_current)

    async def get_promotion(self, code: str) -> PromotionView:
        """One promotion by the caller's words for its code (active or not).

        Raises:
            NotFoundError: ``promo_not_found``.
            InvalidInputError: the code text is refused (``field`` is ``promotion code``).
        """

        async def _get(session: AsyncSession) -> PromotionView:
            return promotion_view(await find_promotion(session, code))

        return await self._db.run(_get)

    async def check_eligibility(self, customer_id: str, code: str) -> PromotionCheck:
        """Every rule of the promotion applied to the caller's cart (read only).

        Returns:
            The verdict; a failed rule is data here (``failed_rule`` and ``facts``), not an error.

        Raises:
            NotFoundError: ``promo_not_found``, ``customer_not_found``.
            InvalidInputError: the code text is refused (``field`` is ``promotion code``).
        """
        today = self._clock.today()

        async def _check(session: AsyncSession) -> PromotionCheck:
            customer = await load_customer(session, customer_id)
            promotion = await find_promotion(session, code)
            return await check_code(session, customer, promotion, await load_cart_lines(session, customer_id), today)

        return await self._db.run(_check)

    async def calculate_discount(self, customer_id: str, code: str) -> PromotionCheck:
        """What the code takes off the caller's cart now.

        Raises:
            NotFoundError: ``promo_not_found``.
            InvalidStateError: the failed rule (``promo_expired``, ``promo_min_spend``...) with its facts.
            InvalidInputError: the code text is refused.
        """
        check = await self.check_eligibility(customer_id, code)
        if not check.eligible:
            raise refusal(check)
        return check

    async def applied_promotion(self, customer_id: str) -> PromotionCheck | None:
        """The promotion on the caller's cart, evaluated now, or ``None``."""
        today = self._clock.today()

        async def _applied(session: AsyncSession) -> PromotionCheck | None:
            customer = await load_customer(session, customer_id)
            return await applied_check(session, customer, await load_cart_lines(session, customer_id), today)

        return await self._db.run(_applied)

    async def check_apply(self, customer_id: str, code: str) -> tuple[PromotionCheck, str | None]:
        """Validate applying a code to the caller's cart without writing (before asking the caller).

        Returns:
            The eligible check, and the code it would replace (``None`` when the cart has no promotion:
            a replacement must be read back to the caller and confirmed).

        Raises:
            InvalidStateError: ``cart_empty``, ``promo_already_applied``, or the failed rule.
            NotFoundError, InvalidInputError: as :meth:`check_eligibility`.
        """
        today = self._clock.today()

        async def _check(session: AsyncSession) -> tuple[PromotionCheck, str | None]:
            return await self._validate_apply(session, customer_id, code, today)

        return await self._db.run(_check)

    async def apply_promo_code(self, customer_id: str, code: str, *, replace: bool = False) -> PromotionCheck:
        """Put the code on the caller's cart (one promotion per order), re-checking every rule.

        Args:
            customer_id: The verified caller.
            code: The caller's words for the code.
            replace: The caller confirmed replacing the promotion already on the cart.

        Raises:
            InvalidStateError: ``promo_one_per_order`` (another promotion is on the cart and ``replace``
                is false), ``cart_empty``, ``promo_already_applied`` or the failed rule. Nothing is written.
            NotFoundError, InvalidInputError: as :meth:`check_eligibility`.
        """
        today = self._clock.today()
        now = self._clock.now()

        async def _apply(session: AsyncSession) -> PromotionCheck:
            check, current = await self._validate_apply(session, customer_id, code, today)
            if current is not None and not replace:
                raise InvalidStateError(ErrorCode.PROMO_ONE_PER_ORDER, code=check.promotion.code, current_code=current)
            await session.execute(delete(CartPromotion).where(CartPromotion.customer_id == customer_id))
            session.add(CartPromotion(customer_id=customer_id, code=check.promotion.code, applied_at=now))
            await session.flush()
            return check

        return await self._db.run(_apply, write=True, conflict_retries=1)

    async def _validate_apply(
        self, session: AsyncSession, customer_id: str, code: str, today: dt.date
    ) -> tuple[PromotionCheck, str | None]:
        customer = await load_customer(session, customer_id)
        promotion = await find_promotion(session, code)
        lines = await load_cart_lines(session, customer_id)
        if not lines:
            raise InvalidStateError(ErrorCode.CART_EMPTY, last_order_id=None)
        current = await session.get(CartPromotion, customer_id)
        if current is not None and current.code == promotion.code:
            raise InvalidStateError(ErrorCode.PROMO_ALREADY_APPLIED, code=promotion.code)
        check = await check_code(session, customer, promotion, lines, today)
        if not check.eligible:
            raise refusal(check)
        return check, current.code if current is not None else None
