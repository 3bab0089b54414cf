"""Parsers over a caller's final transcript (speech-to-text output or typed text).

Every function here is pure and total: any ``str`` (empty, huge, with null bytes or lone
surrogates) gives a result and never raises. Each parser is precision-first: when the utterance
does not clearly hold one complete value it returns ``None`` and the caller is asked again.

Spoken numbers are read from word tokens by small "readers": a reader looks at
``tokens[i:]`` and returns ``(value, next_index)`` or ``None``. They are shared by
:func:`spoken_digits` (phone numbers, last four) and :func:`parse_date` (days and years).

The English number-word tables (:data:`UNITS`, :data:`TEENS`, :data:`TENS`, :data:`ORDINALS`,
:data:`DAY_ORDINALS`, :data:`MONTHS`, :data:`MONTH_ABBREVIATIONS`, :data:`REPEATERS`,
:data:`SCALES`) live here and only here: read-only mappings of word to number, shared with
:mod:`call.redaction` and ``benchmarks.whisper_wer``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

# --- number words ----------------------------------------------------------------------------------
# The English number-word tables of the project: :mod:`call.redaction` and the WER benchmark import
# them from here. They are read-only (``MappingProxyType``); build extended copies, never mutate.

UNITS: Mapping[str, int] = MappingProxyType(
    {
        "zero": 0,
        "one": 1,
        "two": 2,
        "three": 3,
        "four": 4,
        "five": 5,
        "six": 6,
        "seven": 7,
        "eight": 8,
        "nine": 9,
    }
)
"""Unit word -> digit, ``"zero"`` .. ``"nine"`` (spoken "oh" is not here: it needs context)."""
TEENS: Mapping[str, int] = MappingProxyType(
    {
        "ten": 10,
        "eleven": 11,
        "twelve": 12,
        "thirteen": 13,
        "fourteen": 14,
        "fifteen": 15,
        "sixteen": 16,
        "seventeen": 17,
        "eighteen": 18,
        "nineteen": 19,
    }
)
"""Teen word -> value, ``"ten"`` .. ``"nineteen"``."""
TENS: Mapping[str, int] = MappingProxyType(
    {
        "twenty": 20,
        "thirty": 30,
        "forty": 40,
        "fifty": 50,
        "sixty": 60,
        "seventy": 70,
        "eighty": 80,
        "ninety": 90,
    }
)
"""Tens word -> value, ``"twenty"`` .. ``"ninety"``."""
ORDINALS: Mapping[str, int] = MappingProxyType(
    {
        "first": 1,
        "second": 2,
        "third": 3,
        "fourth": 4,
        "fifth": 5,
        "sixth": 6,
        "seventh": 7,
        "eighth": 8,
        "ninth": 9,
        "tenth": 10,
        "eleventh": 11,
        "twelfth": 12,
        "thirteenth": 13,
        "fourteenth": 14,
        "fifteenth": 15,
        "sixteenth": 16,
        "seventeenth": 17,
        "eighteenth": 18,
        "nineteenth": 19,
        "twentieth": 20,
        "thirtieth": 30,
        "fortieth": 40,
        "fiftieth": 50,
        "sixtieth": 60,
        "seventieth": 70,
        "eightieth": 80,
        "ninetieth": 90,
    }
)
"""Single-word ordinal -> value: ``"first"`` .. ``"nineteenth"`` and the tens ``"twentieth"`` .. ``"ninetieth"``."""
DAY_ORDINALS: Mapping[str, int] = MappingProxyType({word: n for word, n in ORDINALS.items() if n <= 31})
"""The :data:`ORDINALS` that can name a day of the month alone (``"first"`` .. ``"twentieth"``, ``"thirtieth"``)."""
MONTHS: Mapping[str, int] = MappingProxyType(
    {
        "january": 1,
        "february": 2,
        "march": 3,
        "april": 4,
        "may": 5,
        "june": 6,
        "july": 7,
        "august": 8,
        "september": 9,
        "october": 10,
        "november": 11,
        "december": 12,
    }
)
"""Full month name -> month number (1-12)."""
MONTH_ABBREVIATIONS: Mapping[str, int] = MappingProxyType(
    {
        "jan": 1,
        "feb": 2,
        "mar": 3,
        "apr": 4,
        "jun": 6,
        "jul": 7,
        "aug": 8,
        "sep": 9,
        "sept": 9,
        "oct": 10,
        "nov": 11,
        "dec": 12,
    }
)
"""Short month name -> month number (``"sept"`` and ``"sep"`` both; "may" has no short form)."""
REPEATERS: Mapping[str, int] = MappingProxyType({"double": 2, "triple": 3})
"""Word that repeats the next digit -> how many times ("double seven" -> 77)."""
SCALES: Mapping[str, int] = MappingProxyType({"hundred": 100, "thousand": 1000})
"""Scale word -> the value it multiplies the number before it by."""

_OH = frozenset({"oh", "o"})
"""Spoken zero, but also an interjection ("Oh, it's ...") and a letter ("o'clock", "O'Neil")."""
_NUMBER_WORDS = frozenset({*UNITS, *TEENS, *TENS, *REPEATERS})
"""Words that anchor a neighbouring "oh" as a zero (scales and ordinals do not)."""

Reading = tuple[int, int]
"""What a reader returns: ``(value, index of the first token after it)``."""
Reader = Callable[[Sequence[str], int], Reading | None]


def _at(tokens: Sequence[str], i: int) -> str:
    """``tokens[i]``, or ``""`` past the end (so readers need no bounds checks)."""
    return tokens[i] if 0 <= i < len(tokens) else ""


def _read_unit(tokens: Sequence[str], i: int) -> Reading | None:
    """A unit word ``zero``..``nine`` (not "oh": callers read it with context)."""
    value = UNITS.get(_at(tokens, i))
    return None if value is None else (value, i + 1)


def _read_two_digit(tokens: Sequence[str], i: int) -> Reading | None:
    """A teen (``"fifteen"`` → 15), or a tens word with an optional unit (``"thirty four"`` → 34, ``"twenty"`` → 20)."""
    word = _at(tokens, i)
    if word in TEENS:
        return TEENS[word], i + 1
    if word not in TENS:
        return None
    unit = UNITS.get(_at(tokens, i + 1), 0)
    if unit:  # "twenty zero" is not a number: it stays "20" then "0"
        return TENS[word] + unit, i + 2
    return TENS[word], i + 1


def _read_below_hundred(tokens: Sequence[str], i: int) -> Reading | None:
    """A number 0..99 in words: a teen, tens with an optional unit, or a unit."""
    return _read_two_digit(tokens, i) or _read_unit(tokens, i)


def _read_scaled(tokens: Sequence[str], i: int) -> Reading | None:
    """A number with "thousand" and/or "hundred" after a number word.

    Grammar: ``[N thousand] [N hundred] [and] [tail]`` where N is below a hundred, at least one
    scale word is present, and the tail is a teen or tens (+ unit). A bare unit as the tail needs
    "and" after "hundred" ("five hundred and five" → 505) but not after "thousand" ("two thousand
    five" → 2005): "eight hundred five five five" is a toll-free prefix "800" followed by "555".

    Examples: "five hundred" → 500, "nineteen hundred eighty eight" → 1988,
    "two thousand and twelve" → 2012, "a hundred" → None (no number word before the scale).
    """
    total, j, bare_unit_tail = 0, i, False
    lead = _read_below_hundred(tokens, j)
    if lead is not None and _at(tokens, lead[1]) == "thousand":
        total, j, bare_unit_tail = lead[0] * 1000, lead[1] + 1, True
        lead = _read_below_hundred(tokens, j)
    if lead is not None and _at(tokens, lead[1]) == "hundred":
        total, j, bare_unit_tail = total + lead[0] * 100, lead[1] + 1, False
    if j == i:
        return None
    k = j + 1 if _at(tokens, j) == "and" else j
    tail = _read_two_digit(tokens, k)
    if tail is None and (k > j or bare_unit_tail):
        tail = _read_unit(tokens, k)
    if tail is not None:
        total, j = total + tail[0], tail[1]
    return total, j


def _read_full(reader: Reader, tokens: Sequence[str]) -> int | None:
    """The value when ``reader`` consumes *all* of ``tokens``, else None."""
    reading = reader(tokens, 0)
    return reading[0] if reading is not None and reading[1] == len(tokens) else None


# --- spoken_digits ------------------------------------------------------------------------------------

_DIGIT_TOKEN = re.compile(r"[0-9]|[a-z]+")
"""One written digit, or one ASCII word. Everything else (punctuation, spaces, other scripts) separates."""


def _zero_ohs(tokens: Sequence[str]) -> list[bool]:
    """Which tokens are an "oh"/"o" that means zero.

    Rule: a run of consecutive "oh"/"o" tokens is zero only when the token just before or just
    after the run is a digit or a number word ("four oh five", "one, oh, oh, one"). So "Oh, it's
    ..." and "O'Neil" stay words, and "five o'clock" is not "50".
    """
    zero = [False] * len(tokens)
    i = 0
    while i < len(tokens):
        if tokens[i] not in _OH:
            i += 1
            continue
        end = i
        while end < len(tokens) and tokens[end] in _OH:
            end += 1
        before, after = _at(tokens, i - 1), _at(tokens, end)
        if (_is_numeric(before) or _is_numeric(after)) and after != "clock":
            zero[i:end] = [True] * (end - i)
        i = end
    return zero


def _is_numeric(token: str) -> bool:
    """A written digit or a number word (not "oh")."""
    return token.isdigit() or token in _NUMBER_WORDS


def _single_digit(tokens: Sequence[str], zero: Sequence[bool], i: int) -> str | None:
    """The one digit at ``tokens[i]`` (written, a unit word, or a zero "oh"), for "double"/"triple"."""
    token = _at(tokens, i)
    if token.isdigit():
        return token
    if token in UNITS:
        return str(UNITS[token])
    if token in _OH and zero[i]:
        return "0"
    return None


def _digits_at(tokens: Sequence[str], zero: Sequence[bool], i: int) -> tuple[str, int]:
    """The digits spoken at ``tokens[i]`` (possibly ``""``) and the index after them."""
    token = tokens[i]
    if token.isdigit():
        return token, i + 1
    if token in REPEATERS:
        digit = _single_digit(tokens, zero, i + 1)
        if digit is None:  # "double check", "double fifteen": the multiplier is dropped
            return "", i + 1
        return digit * REPEATERS[token], i + 2
    number = _read_scaled(tokens, i) or _read_below_hundred(tokens, i)
    if number is not None:
        return str(number[0]), number[1]
    return ("0" if zero[i] else ""), i + 1


def spoken_digits(text: str) -> str:
    """All digits in the utterance, in order, with spoken numbers converted.

    Rules (case-insensitive; punctuation and separators between tokens are ignored):

    * written digits are kept: ``"415-555-0134"``, ``"(415) 555 0134"``, ``"7 - 7 - 0 - 2"``;
    * digit words ``zero``..``nine``: ``"seven 7 0 2"`` → ``"7702"``;
    * ``"oh"``/``"o"`` is 0 only next to another digit token (see :func:`_zero_ohs`);
    * ``"double X"``/``"triple X"`` repeat one digit: ``"four 8 double two"`` → ``"4822"``;
    * teens and tens: ``"fifteen"`` → ``"15"``, ``"twenty"`` → ``"20"``, ``"thirty-four"`` → ``"34"``;
    * ``hundred``/``thousand`` after a number word: ``"five hundred"`` → ``"500"``,
      ``"two thousand five"`` → ``"2005"`` (see :func:`_read_scaled`);
    * every other word (including "a" and "I") is skipped.

    Args:
        text: One caller utterance.

    Returns:
        The digits as a string, possibly empty.
    """
    tokens = _DIGIT_TOKEN.findall(text.casefold())
    zero = _zero_ohs(tokens)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        digits, i = _digits_at(tokens, zero, i)
        out.append(digits)
    return "".join(out)


# --- parse_phone / grouped_digits -------------------------------------------------------------------


def parse_phone(text: str) -> str | None:
    """A whole US phone number given in this one utterance, in E.164.

    Rule: the utterance's :func:`spoken_digits` are exactly 10 digits, or 11 starting with the
    country code "1" (dropped); the area code and the exchange (digits 1 and 4 of the ten) do not
    start with 0 or 1 (NANP). Anything else — a partial number, two numbers, extra digits — is None.

    Args:
        text: One caller utterance, e.g. ``"It's 415, 555, 0134."``.

    Returns:
        ``"+14155550134"``, or None.
    """
    digits = spoken_digits(text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return None
    return "+1" + digits


def grouped_digits(digits: str) -> str:
    """A digit string as it should be read back aloud.

    Rule: non-digits are dropped; a ten-digit US number (also given as E.164 ``"+1..."``) is read
    in its three groups, ``"4 1 5, 5 5 5, 0 1 3 4"``; any other digit string digit by digit,
    ``"4 8 2 1"``.

    Args:
        digits: E.g. ``"+14155550134"``, ``"4155550134"`` or ``"4821"``.

    Returns:
        The spoken form; ``""`` when there are no digits.
    """
    only = "".join(ch for ch in digits if "0" <= ch <= "9")
    if digits.strip().startswith("+1") and len(only) == 11:
        only = only[1:]
    if len(only) == 10:
        return ", ".join(" ".join(group) for group in (only[:3], only[3:6], only[6:]))
    return " ".join(only)


# --- parse_date ------------------------------------------------------------------------------------

_MONTHS: Mapping[str, int] = MappingProxyType({**MONTHS, **MONTH_ABBREVIATIONS})

# 1988-04-12 (ISO). The separator must repeat (\2); spaces around it are allowed.
_ISO_DATE = re.compile(r"(?<![0-9])([0-9]{4})\s*([-/.])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})(?![0-9])")
# 4/12/88, 04-12-1988 (US order; day first only when the first number is over 12).
_US_DATE = re.compile(r"(?<![0-9])([0-9]{1,2})\s*([-/.])\s*([0-9]{1,2})\s*\2\s*([0-9]{4}|[0-9]{2})(?![0-9])")
# Date words: a digit run with an optional ordinal suffix ("12th"), a word, or a comma (a pause).
_DATE_TOKEN = re.compile(r"[0-9]+(?:st|nd|rd|th)?|[a-z]+|[,;]")
_FILLERS = frozenset({"the", "of", ",", ";"})
_RUN_WORDS = frozenset({*UNITS, *_OH, *TEENS, *TENS, *DAY_ORDINALS, *SCALES, "and", *_FILLERS})
_MAX_RUN = 16
"""Longer runs of number words next to a month are not a date (bounds the work on huge input)."""


def _short_year(value: int, today: datetime.date) -> int:
    """A two-digit year in the century that keeps it at or before ``today`` (``88`` → 1988, ``05`` → 2005)."""
    pivot = today.year % 100
    century = today.year - pivot
    return century + value if value <= pivot else century - 100 + value


def _year_value(year: tuple[int, bool], today: datetime.date) -> int:
    """The four-digit year of a :func:`_parse_year` result."""
    value, two_digit = year
    return _short_year(value, today) if two_digit else value


def _make_date(year: int, month: int, day: int) -> datetime.date | None:
    """The date, or None when it does not exist (Feb 30, year 0)."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _numeric_dates(lowered: str, today: datetime.date) -> Iterator[datetime.date | None]:
    """Dates written with digits and separators: ``1988-04-12``, ``4/12/88``, ``04-12-1988``, ``12.4.1988``."""
    for m in _ISO_DATE.finditer(lowered):
        yield _make_date(int(m[1]), int(m[3]), int(m[4]))
    for m in _US_DATE.finditer(lowered):
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        if len(m[4]) == 2:
            year = _short_year(year, today)
        month, day = (second, first) if first > 12 else (first, second)
        yield _make_date(year, month, day)


def _parse_day(tokens: Sequence[str]) -> int | None:
    """A day of the month 1..31, using all of ``tokens``.

    Forms: ``12``, ``12th``, ``twelve``, ``twelfth``, ``twenty one``, ``twenty-first``, ``thirty first``.
    """
    value: int | None
    if len(tokens) == 1 and tokens[0][0].isdigit():
        digits = tokens[0].rstrip("stndrh")
        value = int(digits) if len(digits) <= 2 else None
    elif len(tokens) == 1 and tokens[0] in DAY_ORDINALS:
        value = DAY_ORDINALS[tokens[0]]
    elif len(tokens) == 2 and tokens[0] in TENS and tokens[1] in DAY_ORDINALS and DAY_ORDINALS[tokens[1]] < 10:
        value = TENS[tokens[0]] + DAY_ORDINALS[tokens[1]]  # "twenty first"
    else:
        value = _read_full(_read_below_hundred, tokens)
    return value if value is not None and 1 <= value <= 31 else None


def _read_year_pair(tokens: Sequence[str], i: int) -> Reading | None:
    """A year said as two pairs: century 10..20 then 00..99.

    "nineteen eighty eight" → 1988, "twenty twelve" → 2012, "twenty twenty-four" → 2024,
    "nineteen oh five" → 1905. A bare unit is not a pair ("twenty one" is not 2001).
    """
    century = TEENS.get(_at(tokens, i)) or (20 if _at(tokens, i) == "twenty" else None)
    if century is None:
        return None
    rest = _read_two_digit(tokens, i + 1) or _read_oh_unit(tokens, i + 1)
    return None if rest is None else (century * 100 + rest[0], rest[1])


def _read_oh_unit(tokens: Sequence[str], i: int) -> Reading | None:
    """``"oh five"`` / ``"zero five"`` → 5 (the second half of a year like "twenty oh five")."""
    if _at(tokens, i) not in {*_OH, "zero"}:
        return None
    unit = _read_unit(tokens, i + 1)
    return None if unit is None or unit[0] == 0 else (unit[0], unit[1])


def _parse_year(tokens: Sequence[str], *, short_ok: bool) -> tuple[int, bool] | None:
    """A year using all of ``tokens``, as ``(value, is_two_digit)``.

    Forms: ``1988``; spoken pairs (:func:`_read_year_pair`); scaled words ("two thousand and
    twelve", "nineteen hundred"), 1000 or more. With ``short_ok`` also two-digit years: ``88``,
    ``'88``, "eighty eight", "oh five" (resolved later by :func:`_short_year`).
    """
    if len(tokens) == 1 and tokens[0].isdigit():
        if len(tokens[0]) == 4:
            return int(tokens[0]), False
        return (int(tokens[0]), True) if short_ok and len(tokens[0]) == 2 else None
    pair = _read_full(_read_year_pair, tokens)
    if pair is not None:
        return pair, False
    scaled = _read_full(_read_scaled, tokens)
    if scaled is not None and scaled >= 1000:
        return scaled, False
    if short_ok:
        short = _read_full(_read_two_digit, tokens)
        if short is None:
            short = _read_full(_read_oh_unit, tokens)
        if short is not None:
            return short, True
    return None


def _date_run(tokens: Sequence[str], start: int, step: int) -> list[str]:
    """The number words and fillers next to a month word, walking from ``start`` by ``step`` (±1)."""
    run: list[str] = []
    i = start
    while 0 <= i < len(tokens) and len(run) <= _MAX_RUN and (tokens[i] in _RUN_WORDS or tokens[i][0].isdigit()):
        run.append(tokens[i])
        i += step
    return run if step > 0 else run[::-1]


def _clean(run: Sequence[str]) -> list[str]:
    """The run without fillers ("the", "of", commas) and without an "and" at either edge."""
    words = [t for t in run if t not in _FILLERS]
    while words and words[0] == "and":
        words.pop(0)
    while words and words[-1] == "and":
        words.pop()
    return words


def _month_readings(
    before: Sequence[str], month: int, after: Sequence[str], today: datetime.date
) -> Iterator[datetime.date | None]:
    """Every full date the words around one month word can mean.

    Each reading uses all number words on both sides:

    * month day year: "April 12, 1988", "April twelfth nineteen eighty-eight", "April twelve, eighty eight";
    * day month year: "the twelfth of April 1988", "12 April 1988";
    * year month day: "nineteen eighty eight, April the twelfth".

    "April nineteen eighty eight" could be month + year or April 19, '88: when the words after the
    month also read as a plausible year (1900..today) and no comma splits them, it is not read as
    month day year.
    """
    pre, post = _clean(before), _clean(after)
    if len(pre) > _MAX_RUN or len(post) > _MAX_RUN:
        return
    if not pre and post:
        whole = _parse_year(post, short_ok=False)
        ambiguous = whole is not None and 1900 <= whole[0] <= today.year and not any(t in {",", ";"} for t in after)
        for split in (1, 2):
            day, year = _parse_day(post[:split]), _parse_year(post[split:], short_ok=True)
            if day is not None and year is not None and not ambiguous:
                yield _make_date(_year_value(year, today), month, day)
    if pre and post:
        day, year = _parse_day(pre), _parse_year(post, short_ok=True)
        if day is not None and year is not None:
            yield _make_date(_year_value(year, today), month, day)
        year, day = _parse_year(pre, short_ok=False), _parse_day(post)
        if day is not None and year is not None:
            yield _make_date(_year_value(year, today), month, day)


_MONTH_NUMBERS: Mapping[str, int] = MappingProxyType(
    {**{w: v for w, v in UNITS.items() if v >= 1}, "ten": 10, "eleven": 11, "twelve": 12}
)
"""Month numbers said as one word (``seven`` for July); digits ``1``..``12`` (``07``) are read too."""


def _month_number(token: str) -> int | None:
    """``"seven"``/``"7"``/``"07"`` → 7; None for anything that is not a month number."""
    if token.isdigit():
        return int(token) if len(token) <= 2 and 1 <= int(token) <= 12 else None
    return _MONTH_NUMBERS.get(token)


def _spoken_numeric_dates(tokens: Sequence[str]) -> Iterator[datetime.date | None]:
    """Dates said as numbers with no month name: "seven twenty-eight, nineteen ninety-two", "07 28 1992".

    Each run of number words and digits (commas allowed) of three words or more is read, using all of
    it, as month day year (US order) and, when the first number is over 12, as day month year. The year
    must be a full year ("nineteen ninety two", "1992", "two thousand five"): "eleven nineteen ninety"
    (November 1990 or 11/19/90?) has no reading. Called only when the utterance has no month name.
    """
    run: list[str] = []
    for token in [*tokens, ""]:
        if token and (token in _RUN_WORDS or token[0].isdigit()):
            if len(run) <= _MAX_RUN:  # a longer run is no date: keep one word more to know it
                run.append(token)
            continue
        words = _clean(run) if len(run) <= _MAX_RUN else []
        run = []
        if len(words) < 3:
            continue
        for first in (1, 2):
            for second in (1, 2):
                front, middle = words[:first], words[first : first + second]
                year = _parse_year(words[first + second :], short_ok=False)
                if year is None:
                    continue
                month = _month_number(front[0]) if first == 1 else None
                day = _parse_day(middle)
                if month is not None and day is not None:
                    yield _make_date(year[0], month, day)
                leading_day, month = _parse_day(front), _month_number(middle[0]) if second == 1 else None
                if leading_day is not None and leading_day > 12 and month is not None:
                    yield _make_date(year[0], month, leading_day)


def _worded_dates(lowered: str, today: datetime.date) -> Iterator[datetime.date | None]:
    """Dates with a month name, around each month word in the utterance."""
    tokens = _DATE_TOKEN.findall(lowered)
    named = False
    for k, token in enumerate(tokens):
        month = _MONTHS.get(token)
        if month is not None:
            named = True
            yield from _month_readings(_date_run(tokens, k - 1, -1), month, _date_run(tokens, k + 1, 1), today)
    if not named:
        yield from _spoken_numeric_dates(tokens)


def parse_date(text: str, *, today: datetime.date) -> datetime.date | None:
    """A full calendar date (day, month and year) spoken or written in one utterance.

    Forms: "April twelfth nineteen eighty-eight", "April 12, 1988", "april 12th 1988", "the
    twelfth of April 1988", "12 April 1988", "nineteen eighty eight, April the twelfth", "April
    twelve, eighty eight", "1988-04-12", "4/12/88", "04-12-1988". Slashed/dashed dates are US
    month/day unless the first number is over 12. Two-digit years are 20yy when yy ≤ today's yy,
    else 19yy. Spoken years: "nineteen eighty eight", "two thousand five", "two thousand and
    twelve", "twenty twelve" (only in a year position). Without a month name, numbers said in a row
    are read as month day year (day month year when the first is over 12) with a full year: "seven
    twenty-eight, nineteen ninety-two", "07 28 1992", "twelve five two thousand".

    Rule: every reading of the utterance is collected (see :func:`_month_readings`); the answer
    is the one date they agree on. None when there is no complete date (no year, no day), the date
    does not exist (Feb 30), several different dates are possible, or the date is after ``today``.

    Args:
        text: One caller utterance.
        today: The current date (future dates are rejected, two-digit years resolved against it).

    Returns:
        The date, or None.
    """
    lowered = text.casefold()
    found = {d for d in (*_numeric_dates(lowered, today), *_worded_dates(lowered, today)) if d is not None}
    if len(found) != 1:
        return None
    (date,) = found
    return date if date <= today else None


# --- parse_last_four -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LastFour:
    """The last four digits of an SSN or card, and which one the caller said it was.

    Attributes:
        digits: Exactly four digits.
        kind: ``"ssn"`` or ``"card"``; None when the caller did not say which (or said both).
    """

    digits: str
    kind: Literal["ssn", "card"] | None


# "last four (digits)", "final 4", "4-digit": the "four" names the count, it is not one of the digits.
_COUNT_PHRASE = re.compile(r"\b(?:last|final)[\s-]+(?:four|4)\b(?:[\s-]+digits?\b)?|\b(?:four|4)[\s-]+digits?\b")
_SSN_WORDS = re.compile(r"\bsocial\b|\bssn\b|\bs\W{0,3}s\W{0,3}n\b")
_CARD_WORDS = re.compile(r"\b(?:card|cards|credit|debit|visa|master\s?card|amex|american\s+express)\b")


def parse_last_four(text: str) -> LastFour | None:
    """Exactly four digits, and whether they are from the caller's SSN or card.

    Rule: after removing count phrases ("the last four", "last 4 digits"), the utterance's
    :func:`spoken_digits` must be exactly four digits. ``kind`` is ``"ssn"`` when the text
    mentions social / social security / SSN / "S S N", ``"card"`` when it mentions card, credit,
    debit, Visa, Mastercard or Amex, and None when it mentions both or neither.

    Args:
        text: One caller utterance, e.g. ``"The last four of my social are 4821."``.

    Returns:
        A :class:`LastFour`, or None when the utterance does not hold exactly four digits.
    """
    lowered = text.casefold()
    digits = spoken_digits(_COUNT_PHRASE.sub(" ", lowered))
    if len(digits) != 4:
        return None
    return LastFour(digits, secret_kind(lowered))


def secret_kind(text: str) -> Literal["ssn", "card"] | None:
    """Which secret the caller named: ``"ssn"`` for social / social security / SSN / "S S N",
    ``"card"`` for card, credit, debit, Visa, Mastercard or Amex; None for both or neither.

    Args:
        text: One caller utterance, e.g. ``"my social"`` or ``"the card"``.
    """
    lowered = text.casefold()
    ssn, card = bool(_SSN_WORDS.search(lowered)), bool(_CARD_WORDS.search(lowered))
    return "ssn" if ssn and not card else "card" if card and not ssn else None


# --- parse_first_name ------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
# A word (letters/digits with inner apostrophes or hyphens: "o'neil", "mary-jane", "a-v-a"), or a clause break.
_NAME_TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*|[.,;:!?]")
_LETTERS = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_BREAKS = frozenset(".,;:!?")
_MAX_NAME = 40

# Introductions, as token sequences. Strong ones introduce a name wherever they are; weak ones
# ("it's", "I'm", "this is") only at the start of a clause, and reject "-ing" words after them.
_STRONG_INTROS: tuple[tuple[str, ...], ...] = (
    ("first", "name", "is"),
    ("name", "is"),
    ("name's",),
    ("name", ":"),
    ("first", "name"),
    ("given", "name"),
    ("call", "me"),
    ("go", "by"),
    ("known", "as"),
)
_WEAK_INTROS: tuple[tuple[str, ...], ...] = (
    ("i'm",),
    ("im",),
    ("i", "am"),
    ("it's",),
    ("its",),
    ("it", "is"),
    ("this", "is"),
)
_INTROS: tuple[tuple[tuple[str, ...], bool], ...] = tuple(
    sorted([(x, False) for x in _STRONG_INTROS] + [(x, True) for x in _WEAK_INTROS], key=lambda e: -len(e[0]))
)
"""(intro, is_weak), longest first so "first name is" wins over "first name" at the same place."""
_LEADING_FILLERS = frozenset(
    "hi hello hey um uh erm er ah oh yes yeah yep sure ok okay so well alright right sorry and".split()
)
_TRAILING_FILLERS = frozenset("thanks thank you please here speaking".split())
# Common words that follow "I'm" / "it's" / "this is" or make up a short non-name answer. Words
# that are also common first names (will, may, june, grace, mark, ...) are deliberately absent.
_NOT_NAMES = frozenset(
    """
    a an the this that these those my your his her our their its it me you he she we they him them us i
    myself yourself someone somebody anyone anybody nobody everyone nothing something anything everything
    yes yeah yep yup no nope nah sure ok okay alright hi hello hey thanks thank please sorry pardon
    um uh erm er ah hmm oh well so just not never also still already really actually currently only very
    pretty quite too here there back now then again today tomorrow yesterday later soon
    calling trying looking wondering having going doing getting hoping waiting returning checking following
    asking writing phoning ringing reaching contacting needing wanting
    good fine great bad glad happy sad upset angry mad frustrated confused interested worried concerned annoyed
    disappointed tired busy ready done unsure certain afraid sick lost stuck locked new old okay alright
    about for from with to in on at by of as like regarding re because since and or but if than
    what why how who where when which whatever whoever
    gonna wanna gotta supposed able unable need want wanted have had has do did does is was were be been being
    am are would could should can cannot can't don't doesn't didn't isn't wasn't won't i'd i'll i've it'll
    that's there's what's who's here's let let's i'm im it's you're we're they're he's she's ill
    return returns refund order orders jacket package parcel item items product account number phone email
    address name first last problem issue question complaint help support information info
    correct right wrong true false maybe perhaps probably exactly absolutely definitely totally honestly
    literally basically kind sort bit little lot over out off up down into
    blue black red white green gray grey brown pink purple orange yellow broken damaged late missing
    ridiculous crazy insane unacceptable terrible awful horrible urgent important annoying frustrating
    confusing weird strange silly stupid absurd amazing wonderful perfect nice cool easy hard difficult
    customer member caller human person agent representative manager supervisor robot bot machine
    mr mrs ms miss dr sir madam maam mister mom dad mother father husband wife son daughter
    one two three four five six seven eight nine ten
    fine thanks bye goodbye speaking
    """.split()
)


def _capitalised(word: str) -> str:
    """``"o'neil"`` → ``"O'Neil"``, ``"MARY-JANE"`` → ``"Mary-Jane"``: each hyphen/apostrophe part capitalised."""
    return "-".join("'".join(part.capitalize() for part in piece.split("'")) for piece in word.split("-"))


def _as_name(word: str, *, weak: bool) -> str | None:
    """``word`` as a first name, or None.

    Rule: letters only (inner ``'`` or ``-`` allowed, a possessive ``'s`` dropped), 2..40
    characters, not a stop-word; after a weak intro, not an "-ing" word of six letters or more
    ("I'm calling" — a caller named Irving is still accepted after "my name is").
    """
    if word.endswith("'s"):
        word = word[:-2]
    if not (2 <= len(word) <= _MAX_NAME and _LETTERS.fullmatch(word)):
        return None
    if word in _NOT_NAMES or word.replace("'", "") in _NOT_NAMES:
        return None
    if weak and len(word) >= 6 and word.endswith("ing"):
        return None
    return _capitalised(word)


def _spelled(tokens: Sequence[str], i: int) -> str | None:
    """A name spelled letter by letter from ``tokens[i]``: ``a v a`` or ``a-v-a`` → ``"Ava"`` (two letters or more)."""
    if "-" in _at(tokens, i) and all(len(p) == 1 and p.isalpha() for p in tokens[i].split("-")):
        letters = tokens[i].replace("-", "")
    else:
        letters = ""
        while len(_at(tokens, i)) == 1 and (tokens[i].isalpha() or tokens[i] in ".,"):
            letters += tokens[i] if tokens[i].isalpha() else ""  # "A. V. A." and "A, V, A" are spelled too
            i += 1
    return letters.capitalize() if 2 <= len(letters) <= _MAX_NAME else None


def _clause_start(tokens: Sequence[str], i: int) -> bool:
    """Only fillers ("hi", "yes", "so") stand between ``tokens[i]`` and the start of its clause."""
    j = i - 1
    while j >= 0 and tokens[j] in _LEADING_FILLERS:
        j -= 1
    return j < 0 or tokens[j] in _BREAKS


_SELF_ANNOUNCED = frozenset({"here", "speaking"})
"""``"Marcus here."``, ``"Ava speaking,"``: the name comes before these, alone in its clause."""


def _introduced_names(tokens: Sequence[str]) -> Iterator[str | None]:
    """For each introduction in the utterance, the name after it (None when what follows is no name).

    A name announced before "here"/"speaking" at the start of a clause that ends there ("Hello, Marcus
    here. I need ...") counts too, but only when it is name-like (a non-name there is no introduction).
    """
    for i in range(len(tokens)):
        if _at(tokens, i + 1) in _SELF_ANNOUNCED and _at(tokens, i + 2) in {*_BREAKS, ""} and _clause_start(tokens, i):
            announced = _as_name(tokens[i], weak=True)
            if announced is not None:
                yield announced
                continue
        for intro, weak in _INTROS:
            end = i + len(intro)
            if tuple(tokens[i:end]) != intro or (weak and not _clause_start(tokens, i)):
                continue
            yield _spelled(tokens, end) or _as_name(_at(tokens, end), weak=weak)
            break


def _bare_name(tokens: Sequence[str]) -> str | None:
    """The name in an answer that is only a name: "Ava.", "ava thompson", "Um, Ava, thanks", "A V A".

    Rule: without leading fillers and trailing thanks, one to three words that are all
    name-like (:func:`_as_name`); the first is the first name. Or all single letters, spelled.
    """
    words = [t for t in tokens if t not in _BREAKS]
    while words and words[0] in _LEADING_FILLERS:
        words.pop(0)
    while words and words[-1] in _TRAILING_FILLERS:
        words.pop()
    spelled = _spelled(words, 0)
    if spelled is not None and len(words) == (1 if "-" in words[0] else len(spelled)):
        return spelled
    if not 1 <= len(words) <= 3:
        return None
    names = [_as_name(w, weak=False) for w in words]
    return names[0] if all(names) else None


def parse_first_name(text: str) -> str | None:
    """The caller's first name from their answer to "May I have your first name?".

    Rule: the first introduction that is followed by a name wins — strong ones anywhere ("my
    (first) name is", "name's", "call me", "I go by"), weak ones at the start of a clause ("I'm",
    "it's", "this is"), and a clause that is only a name and "here"/"speaking" ("Hello, Marcus
    here."). When the utterance has introductions but none is followed by a name ("I'm calling
    about my order", "I'm not sure") the answer is None. Without any introduction,
    a short answer that is only a name is accepted ("Ava.", "ava thompson", "A-V-A"), unless it is
    a question. Names are letters only (no digits), 2..40 characters, not common English words.

    Args:
        text: One caller utterance.

    Returns:
        The name capitalised ("Ava", "Mary-Jane", "O'Neil"), or None.
    """
    tokens = _NAME_TOKEN.findall(text.translate(_APOSTROPHES).lower())
    introduced = list(_introduced_names(tokens))
    for name in introduced:
        if name is not None:
            return name
    if introduced or "?" in tokens:
        return None
    return _bare_name(tokens)
