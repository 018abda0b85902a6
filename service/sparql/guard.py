"""Check a user's SPARQL text before any engine sees it.

pyoxigraph executes ``SERVICE`` with no switch to turn it off, performs ``LOAD`` in
updates, and crashes the interpreter on deeply nested queries (see
``shared/security-notes.md``). So every query or update from a request goes through
:func:`check_query` or :func:`check_update` first. The check works on tokens, not on a
regular expression over the raw text: keywords inside strings, IRIs, comments, variables
and prefixed names do not count, and ``\\u`` escapes are decoded first, as the SPARQL
grammar itself does (section 19.2).

The check is deliberately stricter than the grammar: a prefixed name whose prefix is a
forbidden keyword (``SERVICE:x``) is refused too, because Oxigraph's parser reads it as
``SERVICE :x`` and calls out.

>>> check_query("SELECT * { ?s ?p ?o }").form
'SELECT'
>>> check_query('SELECT * { ?s ?p "SERVICE" }').form
'SELECT'
>>> check_query("SELECT * { \\\\u0053ERVICE <http://x/> { } }")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
...
grasp.sparql.guard.QueryRefused: SERVICE (federated query) is not allowed on this endpoint
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Largest query or update text, in characters (after \\u decoding).
MAX_QUERY_CHARS = 64 * 1024
#: Deepest nesting of ( [ { plus chained unary operators. Oxigraph crashed at about
#: 5,000; real queries stay under 20.
MAX_DEPTH = 64
#: Most binary operators in one text. Oxigraph builds a left-deep tree from a chain like
#: 1+1+...+1 and crashed at 16,000 operands; 8,000 ran.
MAX_OPERATORS = 2_000

FORBIDDEN_IN_QUERY = {
    "SERVICE": "SERVICE (federated query) is not allowed on this endpoint",
    "LOAD": "LOAD is not allowed on this endpoint",
}
FORBIDDEN_IN_UPDATE = FORBIDDEN_IN_QUERY
#: Keywords that only an update can contain.
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "LOAD"}
)
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# The terminals of the SPARQL 1.1 grammar (section 19.8) that can hide a word: the
# scanner steps over each whole, so a keyword inside one is not a keyword.
_PN_CHARS_BASE = r"A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<space>\s+)",
            r"(?P<comment>#[^\r\n]*)",
            r"(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
            r'|"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
            r"|'(?:[^'\\\n\r]|\\.)*'"
            r'|"(?:[^"\\\n\r]|\\.)*")',
            r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
            rf"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
            rf"(?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*)",
            r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
            rf"(?P<pname>(?P<prefix>{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)",
            r"(?P<operator>\|\||&&|!=|<=|>=|\^\^|[-+*/|^=<>!])",
            r"(?P<open>[({\[])",
            r"(?P<close>[)}\]])",
            r"(?P<other>.)",
        ]
    ),
    re.DOTALL,
)
_UNARY = frozenset({"!", "^", "^^", "-", "+"})


class QueryRefused(ValueError):
    """A query or update that this endpoint will not run; the message says why."""


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the checks, with what the endpoint needs to know about it."""

    text: str
    #: SELECT, ASK, CONSTRUCT or DESCRIBE.
    form: str
    #: The query names its own dataset with FROM or FROM NAMED.
    has_dataset_clause: bool


@dataclass(frozen=True)
class CheckedUpdate:
    """An update that passed the checks."""

    text: str
    #: The update names its own dataset with USING or WITH.
    has_dataset_clause: bool


def decode_escapes(text: str) -> str:
    r"""Replace ``\uXXXX`` and ``\UXXXXXXXX`` escapes, as a SPARQL parser does before parsing.

    >>> decode_escapes(r"\u0053ERVICE")
    'SERVICE'
    """
    if "\\u" not in text and "\\U" not in text:
        return text
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def check_query(text: str) -> CheckedQuery:
    """Return the query's form if it may run here, or raise :class:`QueryRefused`."""
    words, has_dataset = _scan(text, forbidden=FORBIDDEN_IN_QUERY)
    updates = UPDATE_KEYWORDS.intersection(words)
    if updates:
        raise QueryRefused(
            f"{sorted(updates)[0]} belongs to SPARQL Update, which the query operation does not run"
        )
    form = next((word for word in words if word in QUERY_FORMS), None)
    if form is None:
        raise QueryRefused("not a query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return CheckedQuery(text=text, form=form, has_dataset_clause=has_dataset)


def check_update(text: str) -> CheckedUpdate:
    """Return the update if it may run here, or raise :class:`QueryRefused`."""
    words, _ = _scan(text, forbidden=FORBIDDEN_IN_UPDATE)
    return CheckedUpdate(text=text, has_dataset_clause=bool({"USING", "WITH"} & set(words)))


def _scan(text: str, *, forbidden: dict[str, str]) -> tuple[list[str], bool]:
    """Tokenize ``text`` and enforce the caps; return its upper-cased keywords in order.

    Depth is counted in a loop over tokens, never by recursion, so a hostile text cannot
    overflow this check either.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(f"the text is longer than {MAX_QUERY_CHARS} characters")
    decoded = decode_escapes(text)
    if len(decoded) > MAX_QUERY_CHARS:
        raise QueryRefused(f"the text is longer than {MAX_QUERY_CHARS} characters")
    words: list[str] = []
    depth = 0
    unary_run = 0
    operators = 0
    has_dataset = False
    previous_kind = "open"
    for match in _TOKEN.finditer(decoded):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        if kind == "pname" and match.group("prefix"):
            _refuse_if_forbidden(match.group("prefix").upper(), forbidden)
        if kind == "word":
            word = match.group().upper()
            _refuse_if_forbidden(word, forbidden)
            words.append(word)
            if word in ("FROM", "USING", "WITH"):
                has_dataset = True
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "operator":
            operators += 1
            if operators > MAX_OPERATORS:
                raise QueryRefused(f"the text has more than {MAX_OPERATORS} operators")
        # A run of prefix operators (!!!x, ^^^p) nests like parentheses in the parser.
        token = match.group()
        if kind == "operator" and token in _UNARY and previous_kind in ("operator", "open"):
            unary_run += 1
        elif kind != "operator":
            unary_run = 0
        if depth + unary_run > MAX_DEPTH:
            raise QueryRefused(f"the text nests deeper than {MAX_DEPTH} levels")
        previous_kind = kind
    return words, has_dataset


def _refuse_if_forbidden(word: str, forbidden: dict[str, str]) -> None:
    if word in forbidden:
        raise QueryRefused(forbidden[word])
