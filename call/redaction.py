"""PII redaction for carried chat context, logs and transcripts.

Removes what a caller says while proving identity: digit runs of four or more (phone numbers,
dates of birth, SSN/card last four — spoken as ``4821``, ``4 8 2 1`` or ``48-21``), and runs of
three or more spoken number words (``four eight two one``, ``nineteen eighty eight``). Business
identifiers such as ``ORD-100101`` or ``RET-500001`` are kept: they are not personal data and the
next agent needs them.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

_ID = r"(?:ORD|RET|TCK|DLV|CUS|FSH|ELC|BOK|HOM|GFT)-\d+"
_DIGITS = r"\(?\d(?:[\s.\-/()]{0,2}\d){3,}"
_NUMBER_WORD = (
    r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
    r"ninety|hundred|thousand|double|triple|first|second|third|fourth|fifth|sixth|seventh|eighth|"
    r"ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|"
    r"eighteenth|nineteenth|twentieth|thirtieth)"
)
_PATTERN = re.compile(
    rf"(?P<id>\b{_ID}\b)|(?P<digits>{_DIGITS})|(?P<words>\b{_NUMBER_WORD}(?:[\s,\-]+{_NUMBER_WORD}){{2,}}\b)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """Replace identity digits in ``text`` with ``[redacted]``, keeping business ids.

    Args:
        text: Any caller or agent utterance.

    Returns:
        The text with digit runs (≥ 4 digits) and spoken-number runs (≥ 3 words) replaced.
    """

    def _sub(m: re.Match[str]) -> str:
        return m.group(0) if m.group("id") else REDACTED

    return _PATTERN.sub(_sub, text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts PII from every record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True
