"""``call.parse``: digits, phone numbers, dates, last four and first names from a caller's transcript."""

from __future__ import annotations

import datetime as dt

import pytest

from call.parse import (
    LastFour,
    grouped_digits,
    parse_date,
    parse_first_name,
    parse_last_four,
    parse_phone,
    spoken_digits,
)
from tests.hang_guard import without_hanging

pytestmark = pytest.mark.unit

TODAY = dt.date(2026, 11, 18)
"""The frozen "today" of the unit tests (as ``FIXED_NOW`` in ``worker.testing``)."""
D = dt.date

# Inputs no parser may raise or hang on.
HOSTILE = [
    "",
    " ",
    "\t\n  \r",
    "\x00",
    "\ud800",
    "yes \ud800 no",
    "\udfff\ud800" * 50,
    "🙂" * 100,
    "٤١٥٥٥٥٠١٣٤",  # Arabic-Indic digits are not read as digits
    "x" * 10_000,
    "1" * 10_000,
    "one " * 2_500,
    "oh " * 2_500,
    "double " * 2_500,
    "twenty " * 2_500,
    "april " * 1_700,
    "april 1 " * 1_250,
    "april " + "one " * 2_500,
    "1/" * 5_000,
    "my name is " * 900,
    "I'm " * 2_500,
    "A " * 5_000,
    "A-" * 5_000 + "A",
    "?" * 10_000,
    "-" * 10_000,
    "nineteen hundred and " * 500,
    "two thousand " * 900,
    "’" * 10_000,
]


# --- spoken_digits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        # written digits, any separators
        ("415-555-0134", "4155550134"),
        ("415.555.0134", "4155550134"),
        ("(415) 555 0134", "4155550134"),
        ("(415)555-0134", "4155550134"),
        ("415 555 0134", "4155550134"),
        ("4155550134", "4155550134"),
        ("+1 415 555 0134", "14155550134"),
        ("7 - 7 - 0 - 2", "7702"),
        ("7, 7, 0, 2", "7702"),
        ("7/7/0/2", "7702"),
        ("It's 415, 555, 0134.", "4155550134"),
        # digit words
        ("zero", "0"),
        ("one two three four five six seven eight nine zero", "1234567890"),
        ("four one five, five five five, zero one three four", "4155550134"),
        ("FOUR ONE FIVE", "415"),
        ("Four One Five", "415"),
        ("  four   one\tfive \n", "415"),
        ("four-one-five", "415"),
        ("four.one.five", "415"),
        ("four,one,five", "415"),
        # mixes
        ("seven 7 0 2", "7702"),
        ("four 8 double two", "4822"),
        ("4 eight 2 one", "4821"),
        ("it's 4 8 two one", "4821"),
        # double / triple
        ("double two", "22"),
        ("triple seven", "777"),
        ("triple seven 2", "7772"),
        ("double 7", "77"),
        ("oh one double three", "0133"),
        ("double oh seven", "007"),
        ("four one five double five five oh one three four", "4155550134"),
        ("DOUBLE TWO", "22"),
        ("double check that", ""),
        ("double", ""),
        ("double fifteen", "15"),
        ("double, two", "22"),
        # oh / o as zero only next to other digit tokens
        ("one, oh, oh, one", "1001"),
        ("four oh five", "405"),
        ("four o five", "405"),
        ("oh one", "01"),
        ("five oh", "50"),
        ("Oh, it's 415", "415"),
        ("Oh, it's four one five", "415"),
        ("oh", ""),
        ("oh oh", ""),
        ("Oh well", ""),
        ("oh I see", ""),
        ("My name is O'Neil", ""),
        ("five o'clock", "5"),
        ("o", ""),
        # teens, tens, tens + unit
        ("ten", "10"),
        ("eleven", "11"),
        ("twelve", "12"),
        ("fifteen", "15"),
        ("nineteen", "19"),
        ("twenty", "20"),
        ("ninety", "90"),
        ("thirty four", "34"),
        ("thirty-four", "34"),
        ("Thirty-Four", "34"),
        ("twenty one", "21"),
        ("ninety nine", "99"),
        ("four fifteen, five fifty five, oh one thirty four", "4155550134"),
        ("twenty zero", "200"),
        ("twenty oh five", "2005"),
        ("nineteen eighty eight", "1988"),
        ("twenty twelve", "2012"),
        ("forty forty", "4040"),
        # hundred / thousand after a number word
        ("five hundred", "500"),
        ("one hundred", "100"),
        ("nine hundred", "900"),
        ("five hundred twenty three", "523"),
        ("five hundred and five", "505"),
        ("five hundred and twenty", "520"),
        ("nineteen hundred", "1900"),
        ("nineteen hundred eighty eight", "1988"),
        ("eight hundred five five five", "800555"),
        ("one eight hundred five five five one two three four", "18005551234"),
        ("two thousand", "2000"),
        ("two thousand five", "2005"),
        ("two thousand and twelve", "2012"),
        ("two thousand twelve", "2012"),
        ("one thousand nine hundred eighty eight", "1988"),
        ("a hundred", ""),
        ("hundred", ""),
        ("thousand", ""),
        ("five hundred and", "500"),
        # words that are not numbers
        ("a", ""),
        ("I", ""),
        ("a I a I", ""),
        ("I want to return a jacket", ""),
        ("no digits here", ""),
        ("won too for ate", ""),
        ("someone", ""),
        ("often", ""),
        ("first second third", ""),
        ("4th", "4"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_spoken_digits(text: str, digits: str) -> None:
    assert spoken_digits(text) == digits


# --- parse_phone ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "It's 415, 555, 0134.",
        "four one five, five five five, zero one three four",
        "four one five five five five oh one three four",
        "415-555-0134",
        "415.555.0134",
        "(415) 555-0134",
        "(415) 555 0134",
        "4155550134",
        "+1 415 555 0134",
        "+14155550134",
        "1-415-555-0134",
        "one four one five five five five zero one three four",
        "My number is 415 555 0134, thanks.",
        "Sure, it's four one five, double five five, oh one three four.",
        "four fifteen, five fifty five, oh one thirty four",
        "4 1 5 5 5 5 0 1 3 4",
        "four 1 five 5 five 5 zero 1 three 4",
        "FOUR ONE FIVE FIVE FIVE FIVE ZERO ONE THREE FOUR",
        "  415   555   0134  ",
        "415\n555\n0134",
        "Oh, it's 415 555 0134.",
        "it’s 415 555 0134",
    ],
)
def test_parse_phone_reads_a_whole_number(text: str) -> None:
    assert parse_phone(text) == "+14155550134"


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("212 555 0199", "+12125550199"),
        ("one eight hundred five five five one two three four", "+18005551234"),
        ("nine seven three, two zero one, nine nine nine nine", "+19732019999"),
        ("area code six five oh, then two nine two, eight eight eight eight", "+16502928888"),
        ("seven seven zero two two two triple three four", "+17702223334"),
    ],
)
def test_parse_phone_other_numbers(text: str, phone: str) -> None:
    assert parse_phone(text) == phone


@pytest.mark.parametrize(
    "text",
    [
        "four one five five five five",  # 6 digits
        "my number is 555 0134",  # 7
        "415 555 013",  # 9
        "415 555 01345",  # 11, not starting with 1
        "1 415 555 01345",  # 12
        "415 555 0134 and 415 555 0135",  # two numbers
        "415-555-0134 or 212-555-0199",
        "015 555 0134",  # area code starts with 0
        "115 555 0134",  # area code starts with 1
        "415 055 0134",  # exchange starts with 0
        "415 155 0134",  # exchange starts with 1
        "1 015 555 0134",
        "2 415 555 0134",  # 11 digits starting with 2
        "oh four one five five five five zero one three",
        "no idea",
        "I don't remember",
        "",
        "   ",
        "why do you need that?",
        "a I a I a I",
    ],
)
def test_parse_phone_rejects(text: str) -> None:
    assert parse_phone(text) is None


# --- grouped_digits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "spoken"),
    [
        ("4155550134", "4 1 5, 5 5 5, 0 1 3 4"),
        ("+14155550134", "4 1 5, 5 5 5, 0 1 3 4"),
        ("+1 415 555 0134", "4 1 5, 5 5 5, 0 1 3 4"),
        ("415-555-0134", "4 1 5, 5 5 5, 0 1 3 4"),
        ("4821", "4 8 2 1"),
        ("7", "7"),
        ("123456", "1 2 3 4 5 6"),
        ("14155550134", "1 4 1 5 5 5 5 0 1 3 4"),  # eleven digits without "+1": read as they are
        ("+442079460000", "4 4 2 0 7 9 4 6 0 0 0 0"),
        ("", ""),
        ("no digits", ""),
        ("\x00\ud800", ""),
    ],
)
def test_grouped_digits(digits: str, spoken: str) -> None:
    assert grouped_digits(digits) == spoken


def test_grouped_digits_reads_back_what_parse_phone_returns() -> None:
    phone = parse_phone("four one five, five five five, zero one three four")
    assert phone is not None
    assert grouped_digits(phone) == "4 1 5, 5 5 5, 0 1 3 4"


# --- parse_date ----------------------------------------------------------------------------------------

APRIL_12_1988 = [
    "April twelfth nineteen eighty-eight",
    "April twelfth nineteen eighty eight",
    "April 12, 1988",
    "april 12th 1988",
    "April 12th, 1988.",
    "APRIL 12 1988",
    "Apr 12 1988",
    "apr. 12, 1988",
    "the twelfth of April 1988",
    "The twelfth of April, nineteen eighty eight.",
    "12 April 1988",
    "12th April 1988",
    "12th of April, 1988",
    "4/12/88",
    "4/12/1988",
    "04/12/1988",
    "04-12-1988",
    "4-12-88",
    "4.12.1988",
    "4 / 12 / 1988",
    "1988-04-12",
    "1988/4/12",
    "April twelve, eighty eight",
    "April twelve eighty eight",
    "April 12, '88",
    "April 12 88",
    "nineteen eighty eight, April the twelfth",
    "nineteen eighty-eight April twelfth",
    "1988, April 12",
    "1988 April 12th",
    "April the twelfth, nineteen eighty eight",
    "April the 12th, 1988",
    "It's April 12th, 1988.",
    "My date of birth is April twelfth, nineteen eighty-eight.",
    "Sure, I was born on the 12th of April, 1988, thanks",
    "uh april twelve nineteen eighty eight",
    "  April   12 ,  1988  ",
    "April\n12\n1988",
    "April twelfth, one thousand nine hundred eighty eight",
    "April twelfth nineteen hundred and eighty eight",
    "it’s april 12th 1988",
]


@pytest.mark.parametrize("text", APRIL_12_1988)
def test_parse_date_april_12_1988(text: str) -> None:
    assert parse_date(text, today=TODAY) == D(1988, 4, 12)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("May fifth two thousand five", D(2005, 5, 5)),
        ("May 5th, two thousand and five", D(2005, 5, 5)),
        ("March 3rd, two thousand and twelve", D(2012, 3, 3)),
        ("March third twenty twelve", D(2012, 3, 3)),
        ("June twenty-first twenty twelve", D(2012, 6, 21)),
        ("June twenty first, 2012", D(2012, 6, 21)),
        ("July thirty first nineteen ninety", D(1990, 7, 31)),
        ("July the thirty-first, nineteen ninety", D(1990, 7, 31)),
        ("the thirtieth of September 1975", D(1975, 9, 30)),
        ("January first, two thousand", D(2000, 1, 1)),
        ("January 1st 2000", D(2000, 1, 1)),
        ("jan 1 2000", D(2000, 1, 1)),
        ("December twenty fifth nineteen sixty", D(1960, 12, 25)),
        ("Dec 25 1960", D(1960, 12, 25)),
        ("the second of February, nineteen oh five", D(1905, 2, 2)),
        ("February second nineteen hundred", D(1900, 2, 2)),
        ("February twenty ninth two thousand", D(2000, 2, 29)),
        ("Feb 29 1988", D(1988, 2, 29)),
        ("August eighth, oh eight", D(2008, 8, 8)),
        ("August 8, 08", D(2008, 8, 8)),
        ("sept 9 1999", D(1999, 9, 9)),
        ("Sep 9th 1999", D(1999, 9, 9)),
        ("October tenth twenty ten", D(2010, 10, 10)),
        ("November eleventh twenty twenty", D(2020, 11, 11)),
        ("November 18 2026", D(2026, 11, 18)),  # today itself is allowed
        ("November eighteenth twenty twenty six", D(2026, 11, 18)),
        ("April twenty, twenty twelve", D(2012, 4, 20)),
        ("April twenty twenty twelve", D(2012, 4, 20)),
        ("April nineteen, eighty eight", D(1988, 4, 19)),
        ("April twenty one nineteen ninety", D(1990, 4, 21)),
        ("April twenty nineteen ninety", D(1990, 4, 20)),
        ("March the 1st, 1970", D(1970, 3, 1)),
        ("1st March 1970", D(1970, 3, 1)),
        ("the 4th of July 1990", D(1990, 7, 4)),
        ("July 4th, 1990", D(1990, 7, 4)),
        ("twelve April eighty eight", D(1988, 4, 12)),
        ("twenty twelve, March third", D(2012, 3, 3)),
        ("two thousand five May fifth", D(2005, 5, 5)),
        # numeric: US order unless the first number is over 12
        ("13/4/1988", D(1988, 4, 13)),
        ("31-12-1999", D(1999, 12, 31)),
        ("12/31/1999", D(1999, 12, 31)),
        ("1/2/1990", D(1990, 1, 2)),
        ("01/02/90", D(1990, 1, 2)),
        ("12.4.1988", D(1988, 12, 4)),
        ("1999-12-31", D(1999, 12, 31)),
        ("2000.01.01", D(2000, 1, 1)),
        ("My birthday is 3/15/72", D(1972, 3, 15)),
        # two-digit years: 20yy when yy <= 26 (today is 2026), else 19yy
        ("1/1/26", D(2026, 1, 1)),
        ("1/1/27", D(1927, 1, 1)),
        ("1/1/00", D(2000, 1, 1)),
        ("1/1/99", D(1999, 1, 1)),
        ("June 1 '25", D(2025, 6, 1)),
        ("June 1, twenty six", D(2026, 6, 1)),
        ("June 1, twenty seven", D(1927, 6, 1)),
        # the same date twice is still one date
        ("April 12 1988, that's 4/12/88", D(1988, 4, 12)),
        # numbers in a row, no month name: month day year with a full year (day first when over 12)
        ("Seven twenty eight, nineteen ninety two", D(1992, 7, 28)),
        ("seven twenty-eight nineteen ninety-two", D(1992, 7, 28)),
        ("It's seven, twenty eight, nineteen ninety two.", D(1992, 7, 28)),
        ("07 28 1992", D(1992, 7, 28)),
        ("twelve five nineteen eighty", D(1980, 12, 5)),
        ("ten ten two thousand", D(2000, 10, 10)),
        ("one twenty one nineteen ninety", D(1990, 1, 21)),
        ("twenty eight seven nineteen ninety two", D(1992, 7, 28)),
        ("my birthday is 4 12 1988, and the order is 1", D(1988, 4, 12)),
    ],
)
def test_parse_date_forms(text: str, date: dt.date) -> None:
    assert parse_date(text, today=TODAY) == date


@pytest.mark.parametrize(
    "text",
    [
        # missing year / day / month
        "April 12",
        "April twelfth",
        "the twelfth of April",
        "12 April",
        "April 1988",
        "April, 1988",
        "nineteen eighty eight",
        "1988",
        "4/12",
        "12th 1988",
        "twelve eighty eight",
        # ambiguous: month + year, or a day and a two-digit year?
        "April nineteen eighty eight",
        "April twenty twelve",
        "April twenty twenty",
        # invalid dates
        "February 30 1988",
        "February thirtieth nineteen eighty eight",
        "Feb 29 1900",
        "Feb 29 1987",
        "April 31 1988",
        "June thirty first 1990",
        "the thirty second of May 1990",
        "May 0 1990",
        "13/13/1988",
        "2/30/1988",
        "1988-13-01",
        "1988-02-30",
        "0/0/00",
        # future dates
        "December 1 2030",
        "November 19 2026",
        "11/19/2026",
        "2027-01-01",
        "12/25/26",
        "January first twenty thirty",
        # several dates
        "April 12 1988 or maybe May 12 1988",
        "4/12/88 or 5/12/88",
        "12 April 1988 12",
        # numbers in a row need a full year, and all of them must make the date
        "seven, twenty eight, ninety two",
        "eleven nineteen ninety",  # November 1990, or 11/19/90?
        "seven twenty eight nineteen ninety two one",
        "thirteen thirteen nineteen ninety",
        "two thirty nineteen eighty eight",
        "one " * 20 + "seven twenty eight nineteen ninety two",
        "one oh one oh one oh two",
        "four one five five five five zero one three four",
        # not dates
        "415-555-0134",
        "7 - 7 - 0 - 2",
        "I don't know",
        "why do you need that?",
        "May I ask why?",
        "March on",
        "",
        " ",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text, today=TODAY) is None


def test_parse_date_two_digit_years_follow_today() -> None:
    assert parse_date("1/1/30", today=D(2026, 11, 18)) == D(1930, 1, 1)
    assert parse_date("1/1/30", today=D(2031, 1, 1)) == D(2030, 1, 1)
    assert parse_date("April 12, 88", today=D(2090, 1, 1)) == D(2088, 4, 12)
    assert parse_date("April 12, 91", today=D(2090, 1, 1)) == D(1991, 4, 12)


def test_parse_date_future_depends_on_today() -> None:
    assert parse_date("December 1 2030", today=D(2031, 1, 1)) == D(2030, 12, 1)
    assert parse_date("December 1 2030", today=D(2030, 12, 1)) == D(2030, 12, 1)
    assert parse_date("December 1 2030", today=D(2030, 11, 30)) is None


# --- parse_last_four -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The last four of my social security number are 4821.", LastFour("4821", "ssn")),
        ("card, seven seven zero two", LastFour("7702", "card")),
        ("4821", LastFour("4821", None)),
        ("four eight two one", LastFour("4821", None)),
        ("4 8 2 1", LastFour("4821", None)),
        ("48-21", LastFour("4821", None)),
        ("Social, 4821", LastFour("4821", "ssn")),
        ("my social is four eight two one", LastFour("4821", "ssn")),
        ("SSN 4821", LastFour("4821", "ssn")),
        ("ssn: 4821", LastFour("4821", "ssn")),
        ("S S N, 4821", LastFour("4821", "ssn")),
        ("S.S.N. 4821", LastFour("4821", "ssn")),
        ("s-s-n 4821", LastFour("4821", "ssn")),
        ("the last four of my Social Security are four eight two one", LastFour("4821", "ssn")),
        ("last 4 of my SSN: 4821", LastFour("4821", "ssn")),
        ("The last four digits of my social are 0134", LastFour("0134", "ssn")),
        ("it's the card, 7702", LastFour("7702", "card")),
        ("credit card ending 7702", LastFour("7702", "card")),
        ("my debit card, 7 7 0 2", LastFour("7702", "card")),
        ("Visa 7702", LastFour("7702", "card")),
        ("visa, seven seven oh two", LastFour("7702", "card")),
        ("Mastercard 7702", LastFour("7702", "card")),
        ("master card 7702", LastFour("7702", "card")),
        ("Amex 7702", LastFour("7702", "card")),
        ("last four of my card are double seven oh two", LastFour("7702", "card")),
        ("the last four digits of the card on file: seven seven zero two", LastFour("7702", "card")),
        ("final four, 7702", LastFour("7702", None)),
        ("it's 4-digit, 7702", LastFour("7702", None)),
        ("seventy seven oh two", LastFour("7702", None)),
        ("forty eight twenty one", LastFour("4821", None)),
        ("triple seven two", LastFour("7772", None)),
        ("Oh, it's 4821", LastFour("4821", None)),
        ("my social or my card, 4821", LastFour("4821", None)),  # both: the caller did not say which
        ("SSN and credit card: 4821", LastFour("4821", None)),
        ("THE LAST FOUR OF MY SOCIAL ARE 4821", LastFour("4821", "ssn")),
        ("  social   4821  ", LastFour("4821", "ssn")),
        ("social\x00 4821", LastFour("4821", "ssn")),
        ("social \ud800 4821", LastFour("4821", "ssn")),
    ],
)
def test_parse_last_four(text: str, expected: LastFour) -> None:
    assert parse_last_four(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "482",
        "48211",
        "social 123",
        "my social is 123-45-6789",
        "card 4111 1111 1111 1111",
        "four eight two",
        "4821 and 7702",
        "the last four",
        "the last four of my social",
        "card",
        "",
        "   ",
        "I don't have a card",
        "which one do you need?",
    ],
)
def test_parse_last_four_needs_exactly_four_digits(text: str) -> None:
    assert parse_last_four(text) is None


def test_last_four_is_frozen() -> None:
    value = LastFour("4821", "ssn")
    with pytest.raises(AttributeError):
        value.digits = "0000"  # type: ignore[misc]


# --- parse_first_name ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("My first name is Ava.", "Ava"),
        ("my name's Ava Thompson", "Ava"),
        ("It's Ava", "Ava"),
        ("I'm Ava and I want to return a jacket", "Ava"),
        ("This is Marcus", "Marcus"),
        ("Ava.", "Ava"),
        ("Ava", "Ava"),
        ("ava", "Ava"),
        ("AVA", "Ava"),
        ("ava thompson", "Ava"),
        ("Ava Thompson.", "Ava"),
        ("Ava Marie Thompson", "Ava"),
        ("A V A", "Ava"),
        ("A-V-A", "Ava"),
        ("a v a", "Ava"),
        ("A. V. A.", "Ava"),
        ("A, V, A", "Ava"),
        ("It's A-V-A", "Ava"),
        ("My name is A V A", "Ava"),
        ("Call me Priya", "Priya"),
        ("you can call me Priya", "Priya"),
        ("My name is Ava", "Ava"),
        ("my name is ava", "Ava"),
        ("MY NAME IS AVA", "Ava"),
        ("Name's Ava", "Ava"),
        ("The name is Bond", "Bond"),
        ("first name Ava", "Ava"),
        ("my first name's Ava", "Ava"),
        ("I am Ava", "Ava"),
        ("Im Ava", "Ava"),
        ("its Ava", "Ava"),
        ("it is Ava", "Ava"),
        ("I go by Priya", "Priya"),
        ("Hi, I'm Ava.", "Ava"),
        ("Hey, this is Marcus speaking", "Marcus"),
        ("Yes, it's Ava", "Ava"),
        ("yeah it's Ava", "Ava"),
        ("Sure. Ava.", "Ava"),
        ("Um, Ava.", "Ava"),
        ("uh it's priya", "Priya"),
        ("Ava, thanks", "Ava"),
        ("Ava thank you", "Ava"),
        ("Ava Thompson here", "Ava"),
        ("Hi, I'm calling about a return, my name is Ava", "Ava"),
        ("I'm returning a jacket, my name's Ava", "Ava"),
        ("My first name? It's Ava.", "Ava"),
        ("  my   name   is   Ava  ", "Ava"),
        ("it’s Ava", "Ava"),
        ("my name’s Ava", "Ava"),
        ("I’m Ava", "Ava"),
        # hyphen / apostrophe / non-ASCII names
        ("Mary-Jane", "Mary-Jane"),
        ("my name is mary-jane", "Mary-Jane"),
        ("MARY-JANE WATSON", "Mary-Jane"),
        ("O'Neil", "O'Neil"),
        ("it's o’neil", "O'Neil"),
        ("D'Angelo", "D'Angelo"),
        ("José", "José"),
        ("my name is ZOË", "Zoë"),
        ("Søren", "Søren"),
        ("Jo", "Jo"),
        ("DeShawn", "Deshawn"),
        # names that are also words, after a strong introduction
        ("My name is Irving", "Irving"),
        ("Irving", "Irving"),
        ("My name is Will", "Will"),
        ("It's June", "June"),
        # a clause that is only the name and "here"/"speaking", before the request
        ("Hello, Marcus here. I need to return a monitor that I bought.", "Marcus"),
        ("Marcus here, I need help", "Marcus"),
        ("Hi, Ava speaking, I want to track my order", "Ava"),
        ("Hi, I'm calling, Marcus here", "Marcus"),
    ],
)
def test_parse_first_name(text: str, name: str) -> None:
    assert parse_first_name(text) == name


@pytest.mark.parametrize(
    "text",
    [
        "Hi, I'd like to return a jacket I bought.",
        "I'm calling about my order",
        "I'm not sure",
        "yes",
        "Yes.",
        "no",
        "why do you need that?",
        "hello",
        "Hello?",
        "hi there",
        "I'm good thanks",
        "I'm fine",
        "I'm just calling to check on a refund",
        "I'm trying to return something",
        "I'm looking for my package",
        "I'm wondering about my order",
        "I'm having trouble",
        "I'm sorry, what?",
        "I'm here about a return",
        "I'm ok",
        "I'm okay",
        "I am well",
        "It's about my order",
        "It's a jacket",
        "It's me",
        "It's not working",
        "It's the blue jacket",
        "This is ridiculous",
        "This is about my refund",
        "This is taking forever",
        "Call me back later",
        "my name is not important",
        "My name is Ava2",
        "Ava2",
        "I'm 25",
        "my name is 4821",
        "4821",
        "Ava?",
        "what?",
        "sure",
        "okay",
        "thank you",
        "um",
        "J",
        "my name is J",
        "A",
        "I",
        "return jacket",
        "refund please",
        "Ava Marie Lynn Thompson",  # more than three words without an introduction
        "I want a refund for my jacket",
        "my name is " + "a" * 41,
        "I'm I'm",
        "it's it's",
        "I'm Mrs Thompson",
        "",
        "   ",
        "\x00",
        "\ud800",
        "...",
        "Returns here, hi",
        "My order here, I need help",
        "Is Marcus here?",
        "The jacket is here, I want a refund",
    ],
)
def test_parse_first_name_rejects(text: str) -> None:
    assert parse_first_name(text) is None


def test_parse_first_name_limits_length() -> None:
    assert parse_first_name("my name is " + "a" * 40) == "A" + "a" * 39
    assert parse_first_name("my name is " + "a" * 41) is None


# --- hostile input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_parsers_never_raise_or_hang(text: str) -> None:
    digits = without_hanging(lambda: spoken_digits(text))
    phone = without_hanging(lambda: parse_phone(text))
    date = without_hanging(lambda: parse_date(text, today=TODAY))
    four = without_hanging(lambda: parse_last_four(text))
    name = without_hanging(lambda: parse_first_name(text))
    spoken = without_hanging(lambda: grouped_digits(text))
    assert digits == "" or digits.isdigit()
    assert phone is None or (phone.startswith("+1") and len(phone) == 12)
    assert date is None or date <= TODAY
    assert four is None or len(four.digits) == 4
    assert name is None or len(name) <= 40
    assert isinstance(spoken, str)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_inputs_hold_no_value(text: str) -> None:
    assert parse_phone(text) is None
    assert parse_date(text, today=TODAY) is None
    assert parse_last_four(text) is None
    assert parse_first_name(text) is None


def test_huge_input_keeps_its_digits() -> None:
    text = "filler " * 1_500 + "four one five five five five oh one three four"
    assert len(text) > 10_000
    assert parse_phone(text) == "+14155550134"
    assert spoken_digits("1" * 10_000) == "1" * 10_000


def test_null_bytes_and_surrogates_between_digits() -> None:
    assert spoken_digits("4\x001\x005") == "415"
    assert spoken_digits("four\ud800one\udfffive") == "41"
    assert parse_phone("415\x00555\x000134") == "+14155550134"
    assert parse_date("April\x0012\x001988", today=TODAY) == D(1988, 4, 12)
    assert parse_first_name("Ava\x00") == "Ava"
