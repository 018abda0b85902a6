"""The SPARQL JSON results writer: the same bytes as a plain ``json.dumps`` of the document."""

from __future__ import annotations

import json

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from grasp.sparql.results import JSON, _json_term, write_solutions

XSD = "http://www.w3.org/2001/XMLSchema#"
TERMS = [
    NamedNode("https://w3id.org/grasp/ontology#Architect"),
    NamedNode("http://example.org/é/\u4e2d"),
    Literal("plain"),
    Literal('quotes " and \\ backslash\nnew line\ttab \x01 control'),
    Literal("Архитектор", language="ru"),
    Literal("emoji \U0001F600 and \u2028 separator"),
    Literal(42),
    Literal("2026-11-01T10:00:00Z", datatype=NamedNode(XSD + "dateTime")),
    Literal(True),
    BlankNode("b0"),
    None,
    Triple(NamedNode("http://x/s"), NamedNode("http://x/p"), Literal("o", language="en")),
]


def reference(variables, rows) -> bytes:
    """The document as the W3C JSON format defines it, written by json.dumps."""
    bindings = [{name: _json_term(term) for name, term in zip(variables, row) if term is not None}
                for row in rows]
    document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def test_json_writer_matches_json_dumps_for_every_kind_of_term():
    variables = ["a", "b", "weird \"name\""]
    rows = [(TERMS[i], TERMS[(i + 3) % len(TERMS)], TERMS[(i + 7) % len(TERMS)])
            for i in range(len(TERMS))]
    written = write_solutions(JSON, variables, rows)
    assert written == reference(variables, rows)
    assert json.loads(written)["results"]["bindings"][4]["a"] == {
        "type": "literal", "value": "Архитектор", "xml:lang": "ru"}


def test_json_writer_with_no_rows_and_no_variables():
    assert write_solutions(JSON, [], []) == reference([], [])
    assert write_solutions(JSON, ["x"], [(None,)]) == reference(["x"], [(None,)])
