"""PII redaction for carried chat context, logs, transcripts, reports and summaries.

What a caller says while proving identity is mostly digits: a phone number, a date of birth, the
last four of an SSN or card. :func:`redact` removes **every run of four or more digits**, however
it is written or spoken, and keeps what is not personal and what the next agent needs:

Redacted (each run becomes ``[redacted]``):
    * digits with any separators between them: ``4821``, ``4 8 2 1``, ``48-21``, ``7 - 7 - 0 - 2``,
      ``7, 7, 0, 2``, ``(415) 555-0134``, ``415.555.0134``, ``+1 415 555 0134``, ``1988-04-12``;
    * number words, alone or mixed with digits: ``four eight two one``, ``seven 7 0 2``,
      ``double seven oh two``, ``forty eight twenty one``, ``nineteen eighty eight``,
      ``two thousand and five``. A run counts the digits it stands for (``nineteen`` is two,
      ``double seven`` is two, ``one hundred twenty`` is three), so ``one or two`` or
      ``order twenty two`` stay;
    * dates with a year, the month name included: ``April 12, 1988``, ``12th of April 1988``,
      ``April twelfth nineteen eighty-eight``.

Kept:
    * business ids of every format registered in :mod:`services.ids` (``ORD-100101``,
      ``RET-500001``, ``CUS-1001``, ``FSH-2001``, ...) exactly as registered (an id read back with
      spaces or letter by letter is redacted like any other digits);
    * money: ``$129.00``, ``$1,299.99``, ``12.50``, ``129 dollars``,
      ``one hundred twenty-nine dollars``;
    * memory addresses and hex: ``0x7f3a2b1c9d00``, UUIDs, hex tokens of 12+ characters with a
      letter (LiveKit's ``speech_3f2a9c41b7d0`` ids, digests);
    * times of day: ``10:45``, ``3:30 pm``, ``15:00:00``, ``eleven forty-five pm``, ``ten o'clock``;
    * anything shorter than four digits: ``3 attempts``, ``2 items``, ``30 days``, ``size 10``.

:class:`RedactingFilter` applies the same rules to every field of a :class:`logging.LogRecord`
that a formatter could print (see :mod:`worker.logging_setup` for where it is installed).
Nothing here raises: on an internal error the text is replaced by ``[redacted]`` (fail closed).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Callable
from typing import Any

from call.parse import MONTH_ABBREVIATIONS, MONTHS, ORDINALS, REPEATERS, SCALES, TEENS, TENS, UNITS
from services.ids import IdFormat, registered_ids

__all__ = ["REDACTED", "RedactingFilter", "is_pii_key", "redact", "redact_traceback", "redact_value"]

REDACTED = "[redacted]"

_MIN_DIGITS = 4
"""A run standing for this many digits or more is redacted."""

# --- vocabulary ----------------------------------------------------------------------------------

_UNIT, _ZERO, _TEEN, _TENS, _HUNDRED, _THOUSAND, _REPEAT, _AND = range(8)

_UNITS = tuple(word for word, value in UNITS.items() if value)
"""``"one"`` .. ``"nine"`` ("zero" and "oh" are :data:`_ZERO` words)."""
_UNIT_ORDINALS = tuple(word for word, value in ORDINALS.items() if value < 10)
_TEENS = tuple(TEENS)
_TEEN_ORDINALS = tuple(word for word, value in ORDINALS.items() if 10 <= value < 20)
_TENS_WORDS = tuple(TENS)
_TENS_ORDINALS = tuple(word for word, value in ORDINALS.items() if value >= 20)

_WORDS: dict[str, tuple[int, int, bool]] = {"zero": (_ZERO, 0, False), "oh": (_ZERO, 0, False)}
"""Number word -> (kind, value, is_ordinal)."""
for _kind, _ordinal, _group, _table in (
    (_UNIT, False, _UNITS, UNITS),
    (_UNIT, True, _UNIT_ORDINALS, ORDINALS),
    (_TEEN, False, _TEENS, TEENS),
    (_TEEN, True, _TEEN_ORDINALS, ORDINALS),
    (_TENS, False, _TENS_WORDS, TENS),
    (_TENS, True, _TENS_ORDINALS, ORDINALS),
):
    for _w in _group:
        _WORDS[_w] = (_kind, _table[_w], _ordinal)
_WORDS.update(
    {
        "hundred": (_HUNDRED, SCALES["hundred"], False),
        "thousand": (_THOUSAND, SCALES["thousand"], False),
        **{word: (_REPEAT, times, False) for word, times in REPEATERS.items()},
        "and": (_AND, 0, False),
    }
)

_MONTHS = (*MONTHS, *MONTH_ABBREVIATIONS)
"""Month names, full and short ("sept", "jan"), as they may stand in a spoken date."""


def _alternation(words: list[str] | tuple[str, ...]) -> str:
    """A regex matching any of ``words``, as a trie (``seven(?:t(?:een|h|y))?``...).

    A trie fails on the first letter that no word has there, where a flat alternation would try
    every word: this keeps the scan fast at every word start of long texts. Longer words are
    tried first; callers add a word-boundary check after the alternation.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return "(?:" + emit(trie) + ")"


_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"
_NOT_ALNUM_BEFORE = r"(?<![^\W_])"
_NOT_ALNUM_AFTER = r"(?![^\W_])"

_W_DIGIT_WORDS = _alternation([w for w, (kind, _, ordinal) in _WORDS.items() if kind != _AND and not ordinal])
_W_HOUR = _alternation([*_UNITS, "ten", "eleven", "twelve"])
_W_MINUTE = _alternation([*_UNITS, *_TEENS, *_TENS_WORDS])
_W_UNIT = _alternation(_UNITS)
_W_ORDINAL = _alternation([*_UNIT_ORDINALS, *_TEEN_ORDINALS, *_TENS_ORDINALS])
_W_MONTH = _alternation(_MONTHS)
_W_ATOM = _alternation([*(w for w in _WORDS if w != "and"), *_MONTHS])

# --- atoms of a run: digits, number words, month names ---------------------------------------------

# 1-2 digits followed by ":<digit>" start a time of day, not a run.
_ATOM = (
    r"(?:(?<!\d)(?:\d{3,}|\d{1,2}(?!\d|:\d))(?:(?:st|nd|rd|th)" + _NOT_LETTER_AFTER + ")?"
    rf"|{_NOT_LETTER_BEFORE}{_W_ATOM}{_NOT_LETTER_AFTER}(?:(?:(?<=hundred)|(?<=thousand))\s+and(?=\s))?)"
)
_SEP = (
    r"(?:[\s,.\-/()\u2013\u2014]{1,6}"
    rf"|\s+(?:dash|hyphen|of(?=\s+{_W_MONTH}{_NOT_LETTER_AFTER})"
    rf"|the(?=\s+(?:{_W_ORDINAL}|\d{{1,2}}(?:st|nd|rd|th)){_NOT_LETTER_AFTER}))\s+)"
)
_RUN_LEAD = r"(?:\+(?=\d)|\((?=\d{3}\)))?"
"""``+1 415...`` and ``(415) 555...`` lose their leading sign or bracket with the number."""

# --- kept: money, hex, times of day (ids come from services.ids) ---------------------------------------
# Grouped by the first character (digit, letter, currency sign) so that a position is only tried
# against the tokens that can start there. Amounts and times said in words are recognised after
# the fact, from the word that follows a run (see _replace).

_AMOUNT = r"(?:\d{1,3}(?:,\d{3}){1,4}|\d{1,12})(?:\.\d{1,2})?(?!\d)"
_CURRENCY_WORD = r"(?:dollars?|bucks|cents?|usd|euros?)" + _NOT_LETTER_AFTER
_AM_PM = r"[ap]\.?\s?m\.?" + _NOT_LETTER_AFTER
_HEX_TOKEN = (
    rf"{_NOT_ALNUM_BEFORE}(?=[0-9a-f]{{8}})(?:"
    r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"  # a UUID
    r"|(?=[0-9a-f]{0,64}[a-f])[0-9a-f]{12,}"  # 12+ hex characters with a letter: LiveKit ids, digests
    rf"){_NOT_ALNUM_AFTER}"
)
_KEEP_FROM_DIGIT = (
    r"0x[0-9a-f]+"  # a memory address
    rf"|{_HEX_TOKEN}"
    rf"|(?<![\d.,]){_AMOUNT}\s?{_CURRENCY_WORD}"  # 129 dollars
    r"|(?<![\d.,])(?:\d{1,3}(?:,\d{3}){1,4}|\d{1,9})\.\d{2}(?!\d|[.,]\d)"  # 12.50, 1,299.99
)
_TIME = rf"(?<![\d:.])\d{{1,2}}:[0-5]\d(?::[0-5]\d(?:\.\d{{1,6}})?)?(?![\d:])(?:\s?{_AM_PM})?"  # 10:45, 3:30 pm
"""Only tried where a scan starts: inside a run, an atom never starts a time (see ``_ATOM``)."""
_KEEP_TRIGGER = r"\d{1,3},\d{3}|\d+[.\s]|\d+[a-fxz]|\d{8}"
"""What follows the digits of every kept token that starts with a digit (``1,299``, ``12.50``,
``129 dollars``, ``0x7f``, ``1Z...``, hex): a cheap test before trying them all."""
_KEEP_FROM_SIGN = rf"[$€£¥]\s?-?{_AMOUNT}"  # $129.00, $1,299.99

_FOLLOWED_BY_CURRENCY = re.compile(r"\s?" + _CURRENCY_WORD, re.IGNORECASE)
_FOLLOWED_BY_AM_PM = re.compile(rf"\s?(?:{_AM_PM}|o'?\s?clock{_NOT_LETTER_AFTER})", re.IGNORECASE)
_SPOKEN_AMOUNT = re.compile(
    rf"{_NOT_LETTER_BEFORE}{_W_DIGIT_WORDS}(?:[\s\-]+(?:and\s+)?{_W_DIGIT_WORDS}){{0,8}}\Z", re.IGNORECASE
)
"""The number words that end a run followed by ``dollars``: ``one hundred twenty-nine``."""
_SPOKEN_TIME = re.compile(
    rf"{_NOT_LETTER_BEFORE}{_W_HOUR}(?:[\s\-]+(?:oh[\s\-]+)?{_W_MINUTE}(?:[\s\-]+{_W_UNIT})?)?\Z", re.IGNORECASE
)
"""The number words that end a run followed by ``pm`` or ``o'clock``: ``eleven forty-five``."""
_TAIL_WINDOW = 200


def _build_pattern(ids: tuple[IdFormat, ...]) -> re.Pattern[str]:
    """Compile the scanner: at each position a kept token wins, otherwise a run of numeric atoms.

    A run never extends into a kept token (``4821 $12.50`` redacts ``4821`` only). A run of one
    atom only matches when it is four digits or more (a single word never stands for four), so
    ordinary short numbers cost no callback. Every repetition inside a lookahead is bounded, and a
    position is only tried against what can start with its character, so the scan stays linear.

    Args:
        ids: The registered id formats, kept exactly (case-sensitive) as registered.

    Returns:
        The compiled scanner, with groups ``keep`` and ``run``.
    """
    from_digit = [_KEEP_FROM_DIGIT]
    from_letter = [_HEX_TOKEN]
    for group, starts_with_digit in ((from_digit, True), (from_letter, False)):
        literal_ids = "|".join(
            re.escape(fmt.prefix + fmt.separator) + rf"\d{{{fmt.digits}}}(?!\d)"
            for fmt in ids
            if fmt.prefix[0].isdigit() is starts_with_digit
        )
        if literal_ids:  # one boundary check for all of them
            group.insert(0, rf"{_NOT_ALNUM_BEFORE}(?-i:{literal_ids})")
    keep = rf"(?=\d)(?:{'|'.join(from_digit)})|(?=[^\W\d_])(?:{'|'.join(from_letter)})|{_KEEP_FROM_SIGN}"
    # Inside a run, digits can only start a kept token if followed by one of these: skip the rest.
    inner_keep = rf"(?={_KEEP_TRIGGER})(?:{'|'.join(from_digit)})|(?=[^\W\d_])(?:{'|'.join(from_letter)})"
    run = rf"{_RUN_LEAD}(?:{_ATOM}(?:{_SEP}(?!{inner_keep}){_ATOM})+|(?<!\d)\d{{{_MIN_DIGITS},}})"
    screen = rf"(?=[\d$€£¥(+]|{_NOT_LETTER_BEFORE}[^\W\d_])"
    return re.compile(rf"{screen}(?:(?P<keep>(?=\d){_TIME}|{keep})|(?P<run>{run}))", re.IGNORECASE)


_compiled: tuple[tuple[IdFormat, ...], re.Pattern[str]] | None = None


def _pattern() -> re.Pattern[str]:
    """The scanner for the current id registry (rebuilt only when the registry changes)."""
    global _compiled
    ids = registered_ids()
    cached = _compiled
    if cached is not None and cached[0] is ids:
        return cached[1]
    pattern = _build_pattern(ids)
    _compiled = (ids, pattern)
    return pattern


_TOKEN = re.compile(r"\d+|[^\W\d_]+")


def _count_digits(run: str, enough: int = _MIN_DIGITS) -> int:
    """How many digits a run stands for (counting stops once ``enough`` is reached).

    Digit groups count their length. Number words are read as spoken numbers: ``forty eight`` is one
    number (48, two digits), ``nineteen eighty eight`` two numbers (19 and 88, four digits),
    ``one hundred twenty nine`` one number (129, three), ``two thousand and five`` one number
    (2005, four); an ordinal ends its number (``twelfth`` is 12). ``zero``/``oh`` are one digit,
    ``double``/``triple`` repeat the next digit. A lone ``hundred``/``thousand`` (``a thousand
    times``) counts nothing. Month names and connectors end a number and count nothing.

    Args:
        run: The text of one run (digits, number words, months and separators).
        enough: Stop counting at this many digits.

    Returns:
        The number of digits, or a number ``>= enough`` as soon as that is certain.
    """
    count = 0
    total = current = 0
    last = -1  # kind of the last word of the open number; -1: no open number
    repeat = 0
    for match in _TOKEN.finditer(run):
        if count >= enough:
            return count
        token = match.group(0)
        if token[0].isdigit():
            if last >= 0:
                count += len(str(total + current))
                total = current = 0
                last = -1
            count += repeat if repeat and len(token) == 1 else len(token)
            repeat = 0
            continue
        kind, value, ordinal = _WORDS.get(token.lower(), (-1, 0, False))
        if kind == _AND:
            continue
        if kind in (_UNIT, _ZERO) and repeat:
            if last >= 0:
                count += len(str(total + current))
                total = current = 0
                last = -1
            count += repeat
            repeat = 0
            continue
        repeat = 0
        if kind == _UNIT and last in (_TENS, _HUNDRED, _THOUSAND):
            current += value
            last = _UNIT
        elif kind in (_TEEN, _TENS) and last in (_HUNDRED, _THOUSAND):
            current += value
            last = kind
        elif kind == _HUNDRED and last in (_UNIT, _TEEN, _TENS) and current < 100:
            current *= 100
            last = _HUNDRED
        elif kind == _THOUSAND and last in (_UNIT, _TEEN, _TENS, _HUNDRED) and total == 0:
            total, current = current * 1000, 0
            last = _THOUSAND
        else:
            if last >= 0:
                count += len(str(total + current))
                total = current = 0
                last = -1
            if kind == _ZERO:
                count += 1
            elif kind in (_UNIT, _TEEN, _TENS):
                current = value
                last = kind
            elif kind == _REPEAT:
                repeat = value
            # a lone scale word, a month name or a connector counts nothing
        if ordinal and last >= 0:
            count += len(str(total + current))
            total = current = 0
            last = -1
    if last >= 0:
        count += len(str(total + current))
    return count


_FOUR_DIGITS = re.compile(rf"\d(?:\D*\d){{{_MIN_DIGITS - 1}}}")


_SEPARATORS = " \t\r\n\f\v,.-/()\u2013\u2014"


def _spoken_tail(match: re.Match[str]) -> int:
    """Where an amount or a time said in words starts at the end of a run (``len`` of it if none).

    ``... one hundred twenty-nine dollars`` and ``... eleven forty-five pm``: the run stops before
    ``dollars``/``pm``; the number words right before that word are money or a time and are kept.
    """
    text, after = match.group(0), match.end()
    source = match.string
    if _FOLLOWED_BY_CURRENCY.match(source, after):
        tail_pattern = _SPOKEN_AMOUNT
    elif _FOLLOWED_BY_AM_PM.match(source, after):
        tail_pattern = _SPOKEN_TIME
    else:
        return len(text)
    offset = max(0, len(text) - _TAIL_WINDOW)
    tail = tail_pattern.search(text, offset)
    return tail.start() if tail else len(text)


def _is_secret(run: str) -> bool:
    return bool(_FOUR_DIGITS.search(run)) or _count_digits(run) >= _MIN_DIGITS


def _replace(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.lastgroup == "keep":
        return text
    split = _spoken_tail(match)
    if split == len(text):
        return REDACTED if _is_secret(text) else text
    head = text[:split].rstrip(_SEPARATORS)
    if head and _is_secret(head):
        return REDACTED + text[len(head) :]
    return text


def redact(text: str) -> str:
    """Replace every run of four or more digits, written or spoken, with ``[redacted]``.

    Rules (see the module docstring for examples): a run is digits and/or number words and month
    names joined by spaces or ``, . - / ( )`` (and ``dash``, ``of <month>``, ``the <ordinal>``,
    ``hundred and``); it is redacted when it stands for four or more digits. Registered business ids
    (:func:`services.ids.registered_ids`), money, hex/memory addresses and times of day are kept,
    and a run never extends into one of them.

    Args:
        text: Any caller or agent utterance, log message or report field. A non-string is
            converted with ``str`` first.

    Returns:
        The text with each such run replaced by :data:`REDACTED`; ``[redacted]`` alone if the text
        could not be processed (never raises). Idempotent: ``redact(redact(t)) == redact(t)``.
    """
    try:
        if not isinstance(text, str):
            text = str(text)
        if not text:
            return text
        return _pattern().sub(_replace, text)
    except Exception:
        return REDACTED


_MAX_DEPTH = 64


def _redact_value(value: Any, depth: int, active: set[int]) -> Any:
    if isinstance(value, str):
        return redact(value)
    if not isinstance(value, (dict, list, tuple, set, frozenset)):
        return value
    if depth >= _MAX_DEPTH or id(value) in active:
        return REDACTED
    active.add(id(value))
    try:
        if isinstance(value, dict):
            items = {k: _redact_value(v, depth + 1, active) for k, v in value.items()}
            if all(items[k] is v for k, v in value.items()):
                return value
            if type(value) is dict:
                return items
            try:
                return type(value)(items)
            except Exception:
                return items
        members = [_redact_value(v, depth + 1, active) for v in value]
        if all(new is old for new, old in zip(members, value, strict=True)):
            return value
        if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
            try:
                return type(value)(*members)
            except Exception:
                return tuple(members)
        plain: type[Any]
        if isinstance(value, list):
            plain = list
        elif isinstance(value, tuple):
            plain = tuple
        elif isinstance(value, frozenset):
            plain = frozenset
        else:
            plain = set
        if type(value) is plain:
            return plain(members)
        try:
            return type(value)(members)
        except Exception:
            return plain(members)
    finally:
        active.discard(id(value))


def redact_value(value: Any) -> Any:
    """Redact every string inside ``value`` with :func:`redact`.

    Rules: strings are redacted; dicts (values only; keys are kept), lists, tuples (named tuples
    too), sets and frozensets are redacted recursively and rebuilt with the same type; any other
    object (numbers, ``None``, bytes, custom objects) is returned unchanged. A container that would
    not change is returned as is (same object). A cycle or nesting deeper than 64 levels becomes
    ``[redacted]``.

    Args:
        value: A log ``extra`` value, tool arguments, a report fragment...

    Returns:
        The redacted value. Never raises (``[redacted]`` if something goes wrong).
    """
    try:
        return _redact_value(value, 0, set())
    except Exception:
        return REDACTED


_FRAME_LINE = re.compile(r'([ \t|+\-]*)File "[^"\n]*", line \d+(?:, in [^\n]*)?')
_MARKER_LINE = re.compile(r"[ \t|]*[~^]+[ \t~^]*")


def redact_traceback(text: str) -> str:
    """Redact a rendered traceback or stack, keeping its frames readable.

    Rules: frame lines (``File "x.py", line 1053, in f``), the source line printed under a frame
    (indented deeper than it) and the ``^^^^`` marker lines are kept as they are, since they
    show code rather than data; every other line (the exception messages, chained or grouped
    ones included) goes through :func:`redact`.

    Args:
        text: Output of :func:`traceback.format_exception` or ``Formatter.formatException``.

    Returns:
        The traceback with the exception messages redacted. Never raises.
    """
    try:
        if not isinstance(text, str):
            text = str(text)
        lines = text.split("\n")
        out: list[str] = []
        frame_indent = -1
        for line in lines:
            frame = _FRAME_LINE.fullmatch(line)
            if frame:
                frame_indent = len(frame.group(1))
                out.append(line)
                continue
            if frame_indent >= 0 and (
                _MARKER_LINE.fullmatch(line) or len(line) - len(line.lstrip(" \t|")) > frame_indent
            ):
                out.append(line)
                if not _MARKER_LINE.fullmatch(line):
                    frame_indent = len(line) - len(line.lstrip(" \t|"))  # marker lines may follow
                continue
            frame_indent = -1
            out.append(redact(line))
        return "\n".join(out)
    except Exception:
        return REDACTED


_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
"""Attributes every LogRecord has. Of these only msg/args/message/exc_text/stack_info carry text."""

_PiiCheck = Callable[[str], bool]
_is_pii: _PiiCheck | None = None
_import_tried = False


def _fallback_is_pii(key: str) -> bool:
    """LiveKit's rule when LiveKit is not importable: a dot-separated ``pii`` segment, or GenAI content."""
    return "pii" in key.split(".") or key.startswith("gen_ai.")


def _pii_check() -> _PiiCheck:
    """``livekit.agents.telemetry.pii.is_pii_attribute``, imported once on first use.

    If that import fails (LiveKit absent, or a record logged while LiveKit itself is importing),
    the local fallback rule is used, and the module is picked up later if it shows up imported.
    """
    global _is_pii, _import_tried
    if _is_pii is not None:
        return _is_pii
    check = getattr(sys.modules.get("livekit.agents.telemetry.pii"), "is_pii_attribute", None)
    if check is None and not _import_tried:
        _import_tried = True
        try:
            from livekit.agents.telemetry.pii import is_pii_attribute

            check = is_pii_attribute
        except Exception:
            check = None
    if check is None:
        return _fallback_is_pii
    _is_pii = check
    return check


def is_pii_key(key: str) -> bool:
    """Whether a log ``extra`` key holds PII as a whole, by LiveKit's rule.

    Rule: ``livekit.agents.telemetry.pii.is_pii_attribute`` (a dot-separated ``pii`` segment as in
    ``lk.pii.user_input``, the GenAI content attributes, prompt variables). LiveKit is imported on
    first use; without it, a ``pii`` segment or a ``gen_ai.`` prefix counts.

    Args:
        key: The attribute name.

    Returns:
        ``True`` if the whole value must be replaced by ``[redacted]``. Never raises.
    """
    try:
        return bool(_pii_check()(key))
    except Exception:
        return _fallback_is_pii(key)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts PII from every field of a record a formatter could print.

    Install it on handlers (and loggers) with :func:`worker.logging_setup.configure_logging`. It
    never drops a record and never raises; applying it twice changes nothing more.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place.

        Rules:
            * ``msg`` merged with ``args`` (``record.getMessage()``), then :func:`redact`;
              ``args`` becomes ``None``. A dict ``msg`` (structured logging) is redacted with
              :func:`redact_value` and stays a dict.
            * ``message`` (set when a formatter already ran) goes through :func:`redact`.
            * The exception: when ``exc_info`` is set and ``exc_text`` is not, the traceback is
              rendered into ``exc_text`` as :class:`logging.Formatter` would; ``exc_text`` and
              ``stack_info`` then go through :func:`redact_traceback`. ``exc_info`` is kept, so
              the exception is not dropped (formatters print ``exc_text`` when it is set).
            * Every other non-standard attribute (``extra=`` fields): a key that LiveKit marks as
              PII (``is_pii_attribute``: ``lk.pii.*``, GenAI content) becomes ``[redacted]``
              whole; any other value goes through :func:`redact_value`.
            * Standard attributes (``name``, ``levelno``, ``pathname``, ``lineno``, ``created``,
              ``exc_info``, ...) are not touched.

        Args:
            record: The record, modified in place.

        Returns:
            Always ``True``.
        """
        try:
            self._redact(record)
        except Exception:
            # fail closed, keep the record
            try:
                record.msg, record.args = REDACTED, None
            except Exception:
                pass
        return True

    @staticmethod
    def _redact(record: logging.LogRecord) -> None:
        if isinstance(record.msg, dict) and not record.args:
            record.msg = redact_value(record.msg)
        else:
            try:
                message = record.getMessage()
            except Exception:
                message = f"{record.msg!s} {record.args!r}"
            record.msg = redact(message)
            record.args = None
        fields = record.__dict__
        if isinstance(fields.get("message"), str):
            record.message = redact(record.message)
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            try:
                record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            except Exception:
                record.exc_text = REDACTED
        if record.exc_text:
            record.exc_text = redact_traceback(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_traceback(record.stack_info)
        for key, value in list(fields.items()):
            if key in _STANDARD_ATTRS:
                continue
            if isinstance(key, str) and is_pii_key(key):
                fields[key] = REDACTED
            else:
                fields[key] = redact_value(value)
