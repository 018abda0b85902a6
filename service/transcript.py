"""Import chat transcripts: repair mis-decoded text, split it into messages.

A transcript is a Markdown export in which every turn is an Obsidian-style callout::

    >[!nexus_user] **User** - 06.08.2025 at 19:42
    > the user's words, one quoted line after another
    <!-- UID: f89b01d9-bef4-4adc-a0df-97889c7e229f -->

``>[!nexus_agent]`` marks the assistant's turns. Exports are sometimes UTF-8 that was read
in an 8-bit charset (Mac Roman, Windows-1252, ...), which turns Russian into mojibake such
as ``–ì–æ–ª–æ—Å``. :func:`parse_transcript` repairs that first.

Only the user's own turns are claims about the user (:func:`user_claims`); what the
assistant says about the user is not evidence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

import ftfy
import pyoxigraph as ox

from grasp.claims import AssessRequest, ClaimIn, ClaimsGraph, InputError, claim_iri, from_json
from grasp.namespaces import PROV, RDF_TYPE

#: 8-bit charsets in which UTF-8 text is commonly mis-read, tried in this order.
SUSPECT_CHARSETS = ("mac_roman", "cp1252", "latin-1", "cp1251", "koi8_r")

#: ftfy settings that only repair encodings and leave everything else (quotes, line
#: breaks, HTML entities, Unicode normalisation) as it is, so clean text passes unchanged.
FTFY_ENCODING_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

ROLES = {"nexus_user": "user", "nexus_agent": "assistant"}
DEFAULT_AUTHORS = {"user": "User", "assistant": "Assistant"}

HEADER = re.compile(
    r"^>\s*\[!(?P<kind>[\w-]+)\][+-]?"  # >[!nexus_user]
    r"\s*(?:\*\*(?P<author>[^*]+)\*\*)?"  # **User**
    r"\s*(?:-\s*(?P<when>.*?))?\s*$"  # - 06.08.2025 at 19:42
)
UID = re.compile(r"^\s*<!--\s*UID:\s*(?P<uid>\S+)\s*-->\s*$")
EXPORT_TIME = re.compile(
    r"^(?P<day>\d{2})\.(?P<month>\d{2})\.(?P<year>\d{4})\s+(?:at\s+)?(?P<hm>\d{2}:\d{2})$"
)


@dataclass(frozen=True)
class Message:
    """One turn of a transcript."""

    index: int
    role: str  # "user" or "assistant"
    author: str
    timestamp: str | None
    text: str
    uid: str | None


# --- repairing mis-decoded text ------------------------------------------------------


def _is_expected_letter(char: str) -> bool:
    """Tell whether a character is a Basic Latin or a Cyrillic letter."""
    if not char.isalpha():
        return False
    return char.isascii() or "\u0400" <= char <= "\u04ff"


def _is_odd(char: str) -> bool:
    """Tell whether a character is typical of mojibake rather than of real text.

    Odd are accented or foreign Latin letters (``Ã``, ``ì``, ``ñ``), symbols (``≠``,
    ``√``, ``‚``), control, private and unassigned characters, and the replacement
    character.
    """
    if char in "\n\r\t":
        return False
    if char == "\ufffd":
        return True
    if char.isalpha():
        return not _is_expected_letter(char) and "LATIN" in unicodedata.name(char, "")
    category = unicodedata.category(char)
    return category[0] == "S" or category in ("Cc", "Co", "Cn")


def readability(text: str) -> int:
    """Score how readable a text is: expected letters minus odd characters.

    >>> readability("Голос") > readability("–ì–æ–ª–æ—Å")
    True
    """
    score = 0
    for char in text:
        if _is_expected_letter(char):
            score += 1
        elif _is_odd(char):
            score -= 1
    return score


def _round_trip(text: str, charset: str) -> str | None:
    """Undo one mis-decoding: encode in ``charset``, decode as UTF-8; None if impossible."""
    try:
        return text.encode(charset).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None


def _repair_by_round_trip(text: str) -> str | None:
    """Return the most readable round-trip candidate better than ``text``, or None."""
    best, best_score = None, readability(text)
    for charset in SUSPECT_CHARSETS:
        candidate = _round_trip(text, charset)
        if candidate is not None and readability(candidate) > best_score:
            best, best_score = candidate, readability(candidate)
    return best


def _repair_line(line: str) -> str:
    """Repair one line by round trip, else by ftfy, else leave it as it is."""
    repaired = _repair_by_round_trip(line)
    if repaired is not None:
        return repaired
    fixed = ftfy.fix_text(line, FTFY_ENCODING_ONLY)
    if readability(fixed) > readability(line):
        return fixed
    return line


def repair_text(text: str) -> str:
    """Repair text that was UTF-8 but got decoded in an 8-bit charset.

    For each suspected charset the text is encoded in it and decoded as UTF-8; a
    candidate is kept when that works and it is more readable (more Latin and Cyrillic
    letters, fewer odd symbols) than the input. The whole text is tried first; when that
    fails (for example because some lines are clean), each line is repaired on its own,
    with ftfy as the fallback. Clean text comes back unchanged.

    >>> repair_text("–ì–æ–ª–æ—Å–æ–≤–æ–π –Ω–∞–±–æ—Ä")
    'Голосовой набор'
    >>> repair_text("ÐŸÑ€Ð¸Ð²ÐµÑ‚")
    'Привет'
    >>> repair_text("Plain text stays as it is.")
    'Plain text stays as it is.'
    """
    repaired = _repair_by_round_trip(text)
    if repaired is not None:
        return repaired
    lines = text.splitlines(keepends=True)
    return "".join(_repair_line(line) for line in lines)


# --- parsing ----------------------------------------------------------------------------


def _timestamp(when: str | None) -> str | None:
    """Turn an export time like ``06.08.2025 at 19:42`` into ``2025-08-06T19:42``.

    Times in any other form are kept as written.
    """
    if not when:
        return None
    match = EXPORT_TIME.match(when.strip())
    if match is None:
        return when.strip()
    return f"{match['year']}-{match['month']}-{match['day']}T{match['hm']}"


def _unquote(line: str) -> str | None:
    """Return a quoted line without its ``>`` marker, or None if it is not quoted."""
    if not line.startswith(">"):
        return None
    line = line[1:]
    if line.startswith(" "):
        line = line[1:]
    return line.rstrip()


def _finish(lines: list[str]) -> str:
    """Join the lines of a message body, dropping blank lines at its ends."""
    return "\n".join(lines).strip("\n")


def parse_transcript(text: str) -> list[Message]:
    """Split a transcript into messages, repairing mis-decoded text first.

    Each ``>[!nexus_user]`` or ``>[!nexus_agent]`` callout is one message; its quoted
    lines (without the ``>`` marker) are the text, and a following ``<!-- UID: ... -->``
    gives its uid. Other callouts and lines outside callouts are ignored.

    >>> transcript = '''>[!nexus_user] **User** - 06.08.2025 at 19:42
    ... > Is an LLM just an assistant?
    ... <!-- UID: 1a2b -->
    ...
    ... >[!nexus_agent] **Assistant** - 06.08.2025 at 19:43
    ... > No.
    ... '''
    >>> for m in parse_transcript(transcript):
    ...     print(m.index, m.role, m.timestamp, m.uid, m.text)
    0 user 2025-08-06T19:42 1a2b Is an LLM just an assistant?
    1 assistant 2025-08-06T19:43 None No.
    """
    messages: list[Message] = []
    current: dict | None = None  # the message being read
    body: list[str] = []

    def close() -> None:
        if current is not None:
            messages.append(Message(index=len(messages), text=_finish(body), **current))

    for line in repair_text(text).splitlines():
        header = HEADER.match(line)
        if header is not None:
            close()
            role = ROLES.get(header["kind"].lower())
            if role is None:  # some other callout: not a turn of the dialogue
                current, body = None, []
                continue
            author = (header["author"] or "").strip() or DEFAULT_AUTHORS[role]
            current = {
                "role": role,
                "author": author,
                "timestamp": _timestamp(header["when"]),
                "uid": None,
            }
            body = []
            continue
        if current is None:
            continue
        uid = UID.match(line)
        if uid is not None:
            current["uid"] = uid["uid"]
            close()
            current, body = None, []
            continue
        quoted = _unquote(line)
        if quoted is not None:
            body.append(quoted)
        elif line.strip():  # an unquoted line ends the callout
            close()
            current, body = None, []
    close()
    return messages


def user_claims(messages: list[Message]) -> list[Message]:
    """Keep only the user's own turns: the claims a person makes about themselves.

    >>> turns = parse_transcript(">[!nexus_user] **User**\\n> I chat with it.\\n"
    ...                          ">[!nexus_agent] **Assistant**\\n> You are a genius.\\n")
    >>> [m.text for m in user_claims(turns)]
    ['I chat with it.']
    """
    return [message for message in messages if message.role == "user"]


# --- from a transcript to claims ---------------------------------------------------------

PROV_WAS_DERIVED_FROM = ox.NamedNode(PROV + "wasDerivedFrom")
PROV_ENTITY = ox.NamedNode(PROV + "Entity")


def claims_from_transcript(text: str, *, subject: str, base_iri: str) -> ClaimsGraph:
    """Build the claims graph of a transcript: one claim per non-empty user turn.

    Raises :class:`grasp.claims.InputError` when the transcript has no user turn.
    """
    messages = [m for m in user_claims(parse_transcript(text)) if m.text.strip()]
    if not messages:
        raise InputError("The transcript has no user turn (a '>[!nexus_user]' callout with text).",
                         field="body")
    request = AssessRequest(subject=subject, claims=[ClaimIn(text=m.text) for m in messages])
    claims = from_json(request, base_iri=base_iri)
    links = []
    for index, message in enumerate(messages):
        source = message_iri(message, claims.assessment, base_iri)
        links += [
            ox.Triple(claim_iri(claims.assessment, index), PROV_WAS_DERIVED_FROM, source),
            ox.Triple(source, RDF_TYPE, PROV_ENTITY),
        ]
    return ClaimsGraph(claims.assessment, claims.triples + tuple(links))


def message_iri(message: Message, assessment: ox.NamedNode, base_iri: str) -> ox.NamedNode:
    """Name a message: by its export UID when it has one, else by its place in the transcript."""
    if message.uid:
        return ox.NamedNode(f"{base_iri}message/{quote(message.uid, safe='')}")
    return ox.NamedNode(f"{assessment.value}#message-{message.index}")
