"""Keep text meant for the model out of the caller's ears, and hostile tool arguments out of tools.

Small models read their instructions aloud: the offline model said "Is '4 1 5, …' correct?
(True or False)", "Please tell me the 10-digit US number exactly as the caller said it, digits
only." and "Next: ask for the date of birth". :class:`SpeechGuard` checks the model's reply one
sentence at a time, before text-to-speech, and drops a sentence that carries a tool name, a step
instruction, a tool-output marker or a data artefact. If a whole reply is dropped, the agent says
a neutral line instead (chosen by the agent, e.g. the current step's question).

:func:`tool_arguments_problem` rejects tool-call arguments that would hurt the session before any
tool runs: huge strings, deep nesting (LiveKit's parser hits ``RecursionError`` on
``'{"a":' * 3000``) and text that cannot be encoded (lone surrogates, NUL).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_TOOL_ARGUMENTS_CHARS = 4000
"""Longest tool-call argument string accepted from a model (a voice tool needs a few hundred)."""
MAX_TOOL_ARGUMENTS_DEPTH = 4
"""Deepest JSON nesting accepted in tool-call arguments (our schemas are flat: depth 1–2)."""

_MARKERS = re.compile(
    r"\(\s*true\s+or\s+false\s*\)|\btrue\s+or\s+false\b|\(yes/no\)|\byes/no\b|\[tool|tool (?:call|result|output)|"
    r"\btool_?choice\b|\bfunction[_ ]call|\bYYYY-MM-DD\b|\bdigits only\b|\bas the caller said\b|"
    r"\bthe (?:verified |unverified )?caller\b|"
    r"^\s*next\s*:|\bnext step\b|\bstep \d|\bcall (?:the )?\w+_\w+|\bsystem prompt\b|\bmy instructions\b|"
    r"transfer summary|do not ask again|\b(?:call|run) (?:this|the|that) tool\b|\bcaller_|\b[a-z]+_[a-z_]+\(|"
    r"[{}<>\[\]`]|\\n|\bnull\b|"
    r"\bToolError\b|\bagent id\b|^\W*(?:none|n/?a|empty|nothing to say)\W*$",
    re.IGNORECASE,
)
_CLAIM = re.compile(
    r"\b(i['’]?ve|i have|we['’]?ve|we have|it['’]?s been|has been|have been|is now|are now)\s+"
    r"(just\s+)?(updated|changed|opened|created|booked|scheduled|processed|issued|refunded|cancell?ed|"
    r"logged|submitted|filed|reported|saved|initiated|started|set up|arranged|placed|added|applied|charged|"
    r"ordered|locked|sent|subscribed|paused)\b|\byour (request|return|refund|"
    r"case|ticket|change|order|alert|subscription|dispute|message) (has been|is) (logged|opened|processed|"
    r"submitted|created|done|complete|placed|confirmed|sent|set)|"
    r"^\W*(added|placed|applied|ordered|booked|locked|sent|subscribed|cancell?ed|reported|opened)\b",
    re.IGNORECASE,
)
"""A claim that a write happened ("I've updated the delivery", "Your request has been logged")."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?!\()")
"""A sentence ends at . ! ? and a space, unless "(" follows ("correct? (True or False)" is one sentence)."""


def unsafe_reason(sentence: str, tool_names: Iterable[str] = (), *, claims_allowed: bool = True) -> str | None:
    """Why ``sentence`` must not be spoken, or ``None`` when it is fine.

    Args:
        sentence: One sentence of a model reply.
        tool_names: Names of the tools the model was offered (any of them in speech is a leak).
        claims_allowed: Whether a write ran in this turn; if not, "I've updated …" is a false claim.

    Returns:
        A short reason for the log (never the sentence itself), or ``None``.
    """
    if not claims_allowed and _CLAIM.search(sentence):
        return "claims a change that did not happen"
    lowered = sentence.casefold()
    for name in tool_names:
        if name and name.casefold() in lowered:
            return "tool name"
    if _MARKERS.search(sentence):
        return "instruction or data artefact"
    return None


class SentenceFilter:
    """Base of the filters over a streamed model reply: buffers text deltas and hands whole sentences to
    :meth:`_pass`, which returns what may be spoken (the speech guard here, the output guardrail in
    :mod:`agents.output_guardrail`)."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, delta: str) -> str:
        """Add a text delta; return the complete, safe sentences it finished (possibly "")."""
        self._buffer += delta
        parts = _SENTENCE_END.split(self._buffer)
        if len(parts) == 1:
            return ""
        self._buffer = parts[-1]
        return self._pass(parts[:-1])

    def flush(self) -> str:
        """The last (unterminated) sentence, if safe."""
        rest, self._buffer = self._buffer, ""
        return self._pass([rest]).rstrip() if rest.strip() else ""

    def _pass(self, sentences: list[str]) -> str:
        """The text of ``sentences`` that may be spoken."""
        raise NotImplementedError


class SpeechGuard(SentenceFilter):
    """Sentence-by-sentence filter over a streamed model reply.

    Feed text deltas with :meth:`feed`; it returns the text that is safe to speak now (whole
    sentences). Call :meth:`flush` at the end for the last sentence. :attr:`dropped` counts the
    sentences withheld; :attr:`spoken` whether anything was let through.

    Args:
        tool_names: The tool names offered to the model in this request.
        claims_allowed: Whether a write ran in this caller turn (see :func:`unsafe_reason`).
        said: Sentences already spoken in this caller turn (shared across the turn's tool steps);
            a repeat is skipped silently (the small model repeated a line after each tool step).
    """

    def __init__(
        self,
        tool_names: Iterable[str] = (),
        *,
        claims_allowed: bool = True,
        said: set[str] | None = None,
        notes: Iterable[str] = (),
    ) -> None:
        self._tools = tuple(tool_names)
        self._claims_allowed = claims_allowed
        self._said = said if said is not None else set()
        # Quoted text in a note is meant to be said ("then ask exactly: 'May I have your first name?'").
        self._notes = " | ".join(_words_of(_QUOTED.sub(" | ", n)) for n in notes)
        super().__init__()
        self.dropped = 0
        self.spoken = False

    def _pass(self, sentences: list[str]) -> str:
        kept = []
        for sentence in sentences:
            key = " ".join(sentence.casefold().split())
            if key in self._said:
                continue
            if self._echoes_a_note(sentence):
                self.dropped += 1
                continue
            if unsafe_reason(sentence, self._tools, claims_allowed=self._claims_allowed) is None:
                kept.append(sentence)
                self._said.add(key)
            else:
                self.dropped += 1
        if not kept:
            return ""
        self.spoken = True
        return " ".join(kept) + " "

    def _echoes_a_note(self, sentence: str) -> bool:
        """Whether ``sentence`` repeats a system note of this request (a small model echoes its instructions)."""
        words = _words_of(sentence)
        return len(words.split()) >= NOTE_ECHO_WORDS and bool(self._notes) and words in self._notes


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”")
NOTE_ECHO_WORDS = 5
"""A sentence of at least this many words found verbatim in a system note is an echo of it, never spoken."""


def _words_of(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+|\|", text.casefold()))


def tool_arguments_problem(arguments: str) -> str | None:
    """Why a model's raw tool-call ``arguments`` must be refused before parsing, or ``None``.

    Args:
        arguments: The JSON text the model produced for one tool call.

    Returns:
        A sentence for the model (it is sent back as the tool's error), or ``None`` if acceptable.
    """
    if len(arguments) > MAX_TOOL_ARGUMENTS_CHARS:
        return f"The arguments are too long ({len(arguments)} characters). Send short, flat values."
    try:
        arguments.encode("utf-8")
    except UnicodeEncodeError:
        return "The arguments contain characters that cannot be encoded. Send plain text."
    if "\x00" in arguments or "\\u0000" in arguments:
        return "The arguments contain a NUL character. Send plain text."
    depth = deepest = 0
    in_string = escaped = False
    for ch in arguments:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_TOOL_ARGUMENTS_DEPTH:
                return "The arguments are nested too deeply. Send a flat object of simple values."
        elif ch in "]}":
            depth -= 1
    return None
