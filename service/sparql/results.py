"""Write SPARQL results in the W3C formats, from pyoxigraph terms.

Solutions are written here rather than with ``QuerySolutions.serialize`` because the
endpoint must stop at a row cap, and pyoxigraph's writer consumes the whole iterator. The
four formats are the W3C Recommendations: SPARQL 1.1 Query Results JSON, XML, CSV and TSV.
Graphs (CONSTRUCT, DESCRIBE) are written by pyoxigraph itself, see :func:`write_graph`.

>>> from pyoxigraph import Literal, NamedNode
>>> print(write_solutions("text/csv", ["s", "o"], [(NamedNode("http://x/a"), Literal("1, 2"))]).decode())
s,o\r
http://x/a,"1, 2"\r
<BLANKLINE>
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
#: Media types for SELECT results, the first being the default.
SOLUTION_TYPES = (JSON, XML, CSV, TSV)
#: Media types for ASK results: CSV and TSV define no boolean form.
BOOLEAN_TYPES = (JSON, XML)
#: Media types for CONSTRUCT and DESCRIBE results, with pyoxigraph's format for each.
GRAPH_FORMATS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
}
GRAPH_TYPES = tuple(GRAPH_FORMATS)

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Row = Sequence[object]


def write_solutions(media_type: str, variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    """Serialise SELECT rows (tuples of terms or None, in ``variables`` order)."""
    if media_type == JSON:
        return _json_solutions(variables, rows)
    if media_type == XML:
        return _xml_solutions(variables, rows)
    if media_type == CSV:
        return _csv_solutions(variables, rows)
    if media_type == TSV:
        return _tsv_solutions(variables, rows)
    raise ValueError(f"no writer for {media_type}")


def write_boolean(media_type: str, value: bool) -> bytes:
    """Serialise an ASK answer.

    >>> write_boolean(JSON, True)
    b'{"head":{},"boolean":true}'
    """
    if media_type == JSON:
        return b'{"head":{},"boolean":true}' if value else b'{"head":{},"boolean":false}'
    if media_type == XML:
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    raise ValueError(f"no boolean writer for {media_type}")


def write_graph(media_type: str, triples: Iterable[Triple]) -> bytes:
    """Serialise CONSTRUCT or DESCRIBE triples with pyoxigraph's writers."""
    return serialize(triples, format=GRAPH_FORMATS[media_type]) or b""


def _json_term(term: object) -> dict:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _json_text(term: object) -> str:
    """Write one term as JSON text: the bytes ``json.dumps`` gives, about 4x faster.

    ``encode_basestring`` is the quoting ``json.dumps(ensure_ascii=False)`` uses.
    """
    kind = type(term)
    if kind is NamedNode:
        return '{"type":"uri","value":' + encode_basestring(term.value) + "}"
    if kind is Literal:
        literal = '{"type":"literal","value":' + encode_basestring(term.value)
        if term.language:
            return literal + ',"xml:lang":' + encode_basestring(term.language) + "}"
        datatype = term.datatype.value
        if datatype != _XSD_STRING:
            return literal + ',"datatype":' + encode_basestring(datatype) + "}"
        return literal + "}"
    if kind is BlankNode:
        return '{"type":"bnode","value":' + encode_basestring(term.value) + "}"
    return json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))


def _json_solutions(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    # Written as text, not built as dicts for json.dumps: this runs for every answer.
    keys = [encode_basestring(name) + ":" for name in variables]
    bindings = ",".join(
        "{" + ",".join([key + _json_text(term) for key, term in zip(keys, row) if term is not None])
        + "}"
        for row in rows
    )
    head = ",".join(encode_basestring(name) for name in variables)
    return ('{"head":{"vars":[' + head + ']},"results":{"bindings":[' + bindings + "]}}").encode()


def _xml_term(term: object) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return (
                f"<literal datatype={quoteattr(term.datatype.value)}>"
                f"{escape(term.value)}</literal>"
            )
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def _xml_solutions(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    parts = [
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>',
        *(f"<variable name={quoteattr(name)}/>" for name in variables),
        "</head><results>",
    ]
    for row in rows:
        parts.append("<result>")
        for name, term in zip(variables, row):
            if term is not None:
                parts.append(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts).encode()


def _csv_field(term: object) -> str:
    # CSV carries values only (section 4 of the CSV/TSV Recommendation).
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        value = f"_:{term.value}"
    elif isinstance(term, (NamedNode, Literal)):
        value = term.value
    else:
        value = str(term)
    if any(char in value for char in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_solutions(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    lines = [",".join(variables)]
    lines.extend(",".join(_csv_field(term) for term in row) for row in rows)
    return ("\r\n".join(lines) + "\r\n").encode()


def _tsv_field(term: object) -> str:
    # TSV carries terms in Turtle syntax; pyoxigraph's str() of a term is exactly that.
    return "" if term is None else str(term)


def _tsv_solutions(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    lines = ["\t".join(f"?{name}" for name in variables)]
    lines.extend("\t".join(_tsv_field(term) for term in row) for row in rows)
    return ("\n".join(lines) + "\n").encode()
