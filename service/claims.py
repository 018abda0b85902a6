"""Turn what a user sends (JSON, Turtle, JSON-LD or RDF/XML) into a claims graph.

A claims graph is the RDF form of one assessment request::

    <assessment> a grasp:Assessment ; grasp:assesses <person> ; grasp:hasClaim <claim-0> .
    <claim-0> a grasp:Claim ; grasp:index 0 ; grasp:text "..."@en .
    <claim-1> a grasp:Claim ; grasp:index 1 ; grasp:concept grasp:X ; grasp:stance grasp:Affirms .

Whatever the input format, the result has the IRIs Grasp mints, so that a stored assessment
never depends on a blank-node label chosen by a client. Nothing here judges the claims: the
SHACL shapes do (:mod:`grasp.validation`). What is checked here is only what must be checked
before a parser sees the bytes: size, nesting depth, DOCTYPEs and JSON-LD contexts.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from enum import Enum
from urllib.parse import quote

import pyoxigraph as ox
from pydantic import BaseModel, ConfigDict, Field

from grasp.mapping import detect_language
from grasp.namespaces import GRASP, RDF_TYPE, expand, grasp

#: Deepest nesting of brackets (Turtle ``[ ]`` and ``( )``, JSON ``{ }`` and ``[ ]``) accepted.
MAX_NESTING = 32


class InputError(ValueError):
    """The input cannot be read: ``field`` names the part of the request at fault."""

    def __init__(self, message: str, *, field: str = "body", line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.field, self.line, self.column = message, field, line, column


class MalformedInput(InputError):
    """The body cannot be parsed, or is refused before parsing (size, nesting, DOCTYPE)."""


class InputFormat(str, Enum):
    """The request formats POST /assess accepts, by media type."""

    JSON = "application/json"
    TURTLE = "text/turtle"
    JSON_LD = "application/ld+json"
    RDF_XML = "application/rdf+xml"


class ClaimIn(BaseModel):
    """One claim in a JSON request: a text (with an optional language) or a concept + stance."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, examples=["An LLM does not think."])
    lang: str | None = Field(default=None, description="BCP 47 tag; detected when missing.")
    concept: str | None = Field(default=None, examples=["grasp:SimulationOfReasoning"])
    stance: str | None = Field(default=None, examples=["affirms"], description="affirms | denies")
    confidence: float | None = Field(default=None, description="From 0 to 1.")


class AssessRequest(BaseModel):
    """A JSON assessment request: who is assessed, and what they claim."""

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=2000, examples=["alice"])
    claims: list[ClaimIn] = Field(max_length=1000)


@dataclass(frozen=True)
class ClaimsGraph:
    """A claims graph: the assessment IRI (also its graph name) and its triples."""

    assessment: ox.NamedNode
    triples: tuple[ox.Triple, ...]


def new_assessment_iri(base_iri: str) -> ox.NamedNode:
    """Mint the IRI of a new assessment under ``base_iri``."""
    return ox.NamedNode(f"{base_iri}assessment/{uuid.uuid4()}")


def claim_iri(assessment: ox.NamedNode, index: int) -> ox.NamedNode:
    """Return the IRI of claim number ``index`` of an assessment."""
    return ox.NamedNode(f"{assessment.value}#claim-{index}")


def subject_iri(subject: str, base_iri: str) -> ox.NamedNode:
    """Return the IRI of the person assessed: ``subject`` itself if it is an IRI.

    >>> subject_iri("alice", "https://w3id.org/grasp/data/").value
    'https://w3id.org/grasp/data/person/alice'
    >>> subject_iri("https://example.org/bob", "https://w3id.org/grasp/data/").value
    'https://example.org/bob'
    """
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S", subject):
        return _iri(subject, "subject")
    return ox.NamedNode(f"{base_iri}person/{quote(subject, safe='')}")


def from_json(request: AssessRequest, *, base_iri: str) -> ClaimsGraph:
    """Build the claims graph of a JSON request."""
    assessment = new_assessment_iri(base_iri)
    triples = [
        ox.Triple(assessment, RDF_TYPE, grasp("Assessment")),
        ox.Triple(assessment, grasp("assesses"), subject_iri(request.subject, base_iri)),
    ]
    for index, claim in enumerate(request.claims):
        node = claim_iri(assessment, index)
        triples += [
            ox.Triple(assessment, grasp("hasClaim"), node),
            ox.Triple(node, RDF_TYPE, grasp("Claim")),
            ox.Triple(node, grasp("index"), ox.Literal(str(index), datatype=_XSD_INTEGER)),
        ]
        field = f"claims[{index}]"
        if claim.text is not None:
            lang = claim.lang or detect_language(claim.text)
            try:
                text = ox.Literal(claim.text, language=lang)
            except ValueError:
                raise InputError(f"'{lang}' is not a language tag", field=f"{field}.lang") from None
            triples.append(ox.Triple(node, grasp("text"), text))
        if claim.concept is not None:
            concept = _iri(_concept_name(claim.concept), f"{field}.concept")
            triples.append(ox.Triple(node, grasp("concept"), concept))
        if claim.stance is not None:
            stance = _iri(GRASP + claim.stance.strip().capitalize(), f"{field}.stance")
            triples.append(ox.Triple(node, grasp("stance"), stance))
        if claim.confidence is not None:
            confidence = ox.Literal(repr(float(claim.confidence)), datatype=_XSD_DOUBLE)
            triples.append(ox.Triple(node, grasp("confidence"), confidence))
    return ClaimsGraph(assessment, tuple(triples))


def read_claims(body: bytes, input_format: InputFormat, *, base_iri: str) -> ClaimsGraph:
    """Read a request body in any accepted format into a claims graph."""
    if input_format is InputFormat.JSON:
        return from_json(parse_json(body), base_iri=base_iri)
    return from_rdf(body, input_format, base_iri=base_iri)


def input_format_of(content_type: str | None) -> InputFormat | None:
    """Return the input format of a Content-Type header, or None when it is not accepted.

    >>> input_format_of("application/json; charset=utf-8")
    <InputFormat.JSON: 'application/json'>
    """
    media = (content_type or "").split(";")[0].strip().lower()
    return next((f for f in InputFormat if f.value == media), None)


def parse_json(body: bytes) -> AssessRequest:
    """Read a JSON request body; :class:`InputError` names the position of malformed JSON."""
    document = _load_json(body)
    return AssessRequest.model_validate(document)


def from_rdf(body: bytes, input_format: InputFormat, *, base_iri: str) -> ClaimsGraph:
    """Parse a claims graph sent as RDF and give it Grasp's IRIs.

    The one node typed ``grasp:Assessment`` gets a new assessment IRI and its claims get
    claim IRIs, numbered in the order the document gives them (or by their ``grasp:index``).
    """
    _check_rdf_is_safe(body, input_format)
    rdf_format = {
        InputFormat.TURTLE: ox.RdfFormat.TURTLE,
        InputFormat.JSON_LD: ox.RdfFormat.JSON_LD,
        InputFormat.RDF_XML: ox.RdfFormat.RDF_XML,
    }[input_format]
    try:
        parsed = [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(body, format=rdf_format, base_iri=base_iri, without_named_graphs=True)
        ]
    except SyntaxError as error:
        raise MalformedInput(f"Malformed {input_format.name.replace('_', '-')}: {error.msg}",
                         line=error.lineno, column=error.offset) from None
    return _with_minted_iris(parsed, base_iri)


def _with_minted_iris(triples: list[ox.Triple], base_iri: str) -> ClaimsGraph:
    assessments = [t.subject for t in triples
                   if t.predicate == RDF_TYPE and t.object == grasp("Assessment")]
    assessment = new_assessment_iri(base_iri)
    if len(set(assessments)) != 1:
        # The shapes report the missing or extra assessment; nothing to rename.
        return ClaimsGraph(assessment, tuple(triples))
    renamed: dict[ox.NamedNode | ox.BlankNode, ox.NamedNode] = {assessments[0]: assessment}
    claims = _claims_in_order(triples, assessments[0])
    for index, claim in enumerate(claims):
        renamed[claim] = claim_iri(assessment, index)

    def rename(term):
        return renamed.get(term, term) if not isinstance(term, ox.Literal) else term

    result = {ox.Triple(rename(t.subject), t.predicate, rename(t.object)) for t in triples}
    result = {t for t in result if t.predicate != grasp("index")}
    result |= {
        ox.Triple(claim_iri(assessment, i), grasp("index"), ox.Literal(str(i), datatype=_XSD_INTEGER))
        for i in range(len(claims))
    }
    return ClaimsGraph(assessment, tuple(sorted(result, key=str)))


def _claims_in_order(triples: list[ox.Triple], assessment) -> list:
    claims = []
    for t in triples:
        if t.subject == assessment and t.predicate == grasp("hasClaim") and t.object not in claims:
            claims.append(t.object)
    given = {t.subject: int(t.object.value) for t in triples
             if t.predicate == grasp("index") and t.object.value.lstrip("-").isdigit()}
    return sorted(claims, key=lambda claim: (given.get(claim, len(claims)), claims.index(claim)))


def _check_rdf_is_safe(body: bytes, input_format: InputFormat) -> None:
    text = body.decode("utf-8", errors="replace")
    if input_format is InputFormat.RDF_XML:
        if re.search(r"<!\s*(DOCTYPE|ENTITY)", text, re.IGNORECASE):
            raise MalformedInput("RDF/XML with a DOCTYPE or ENTITY declaration is refused")
        return
    if input_format is InputFormat.JSON_LD:
        _check_contexts(_load_json(body))
        return
    depth = nesting_depth(text)
    if depth > MAX_NESTING:
        raise MalformedInput(f"Nesting {depth} deep; at most {MAX_NESTING} is accepted")


def _check_contexts(node: object) -> None:
    # Only inline contexts: a string context would name a document to fetch or to read.
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("@context", "@import") and _names_a_document(value):
                    raise MalformedInput("JSON-LD contexts must be inline: a remote or local "
                                     "@context or @import is never fetched", field="@context")
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _names_a_document(context: object) -> bool:
    if isinstance(context, str):
        return True
    return isinstance(context, list) and any(isinstance(item, str) for item in context)


def _load_json(body: bytes) -> object:
    text = body.decode("utf-8", errors="replace")
    depth = nesting_depth(text, json_syntax=True)
    if depth > MAX_NESTING:
        raise MalformedInput(f"JSON nested {depth} deep; at most {MAX_NESTING} is accepted")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise MalformedInput(f"Malformed JSON: {error.msg}", line=error.lineno,
                         column=error.colno) from None


def nesting_depth(text: str, *, json_syntax: bool = False) -> int:
    """Return the deepest bracket nesting of Turtle or JSON text, skipping strings and IRIs.

    >>> nesting_depth('<a> <b> [ <c> ( "[[" ) ] .')
    2
    >>> nesting_depth('{"a": [{"b": "}}"}]}', json_syntax=True)
    3
    """
    if json_syntax:
        return _json_depth(text)
    openers, closers = "[(", "])"
    depth = deepest = 0
    position, length = 0, len(text)
    while position < length:
        char = text[position]
        if char in "\"'":
            position = _skip_string(text, position)
            continue
        if char == "<":
            end = text.find(">", position)
            position = length if end < 0 else end + 1
            continue
        if char == "#":
            end = text.find("\n", position)
            position = length if end < 0 else end + 1
            continue
        if char in openers:
            depth += 1
            deepest = max(deepest, depth)
        elif char in closers:
            depth -= 1
        position += 1
    return deepest


# A JSON string, escapes included (an unterminated one runs to the end). The alternatives
# cannot both match a character, so the scan is linear on any input.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def _json_depth(text: str) -> int:
    # Regular expressions do the per-character work; Python sees only the brackets.
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _skip_string(text: str, start: int) -> int:
    quote_chars = text[start] * 3 if text.startswith(text[start] * 3, start) else text[start]
    position = start + len(quote_chars)
    while position < len(text):
        if text[position] == "\\":
            position += 2
        elif text.startswith(quote_chars, position):
            return position + len(quote_chars)
        else:
            position += 1
    return position


def _concept_name(name: str) -> str:
    name = name.strip()
    return expand(name) if ":" in name else GRASP + name


def _iri(value: str, field: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise InputError(f"'{value}' is not an IRI", field=field) from None


_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_XSD_DOUBLE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")
