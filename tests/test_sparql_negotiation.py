"""Content negotiation: a table of Accept headers and what each gets."""

from __future__ import annotations

import pytest

from grasp.sparql.negotiation import choose_format, negotiate
from grasp.sparql.results import BOOLEAN_TYPES, GRAPH_TYPES, SOLUTION_TYPES

PAGE_OR_GRAPH = (*GRAPH_TYPES, "text/html")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "offers", "expected"),
    [
        (None, SOLUTION_TYPES, "application/sparql-results+json"),
        ("", SOLUTION_TYPES, "application/sparql-results+json"),
        ("*/*", SOLUTION_TYPES, "application/sparql-results+json"),
        ("application/sparql-results+xml", SOLUTION_TYPES, "application/sparql-results+xml"),
        ("application/xml", SOLUTION_TYPES, "application/sparql-results+xml"),
        ("application/json", SOLUTION_TYPES, "application/sparql-results+json"),
        ("text/csv", SOLUTION_TYPES, "text/csv"),
        ("text/*", SOLUTION_TYPES, "text/csv"),
        ("text/csv;q=0.4, text/tab-separated-values;q=0.8", SOLUTION_TYPES, "text/tab-separated-values"),
        ("text/csv, */*;q=0.1", BOOLEAN_TYPES, "application/sparql-results+json"),
        ("text/csv", BOOLEAN_TYPES, None),
        ("application/sparql-results+json;q=0", SOLUTION_TYPES, None),
        ("application/sparql-results+json;q=0, */*;q=0.1", SOLUTION_TYPES,
         "application/sparql-results+xml"),
        ("application/sparql-results+json;q=0, */*;q=0", SOLUTION_TYPES, None),
        ("application/sparql-results+json;q=0.5, application/*;q=0.9", SOLUTION_TYPES,
         "application/sparql-results+xml"),
        ("application/*;q=0.9, application/sparql-results+json;q=0.1", SOLUTION_TYPES,
         "application/sparql-results+xml"),
        ("TEXT/CSV", SOLUTION_TYPES, "text/csv"),
        ("text/csv;q=nonsense, application/sparql-results+xml;q=0.1", SOLUTION_TYPES,
         "application/sparql-results+xml"),
        (None, GRAPH_TYPES, "text/turtle"),
        ("application/rdf+xml", GRAPH_TYPES, "application/rdf+xml"),
        ("application/xml", GRAPH_TYPES, "application/rdf+xml"),
        ("application/ld+json", GRAPH_TYPES, "application/ld+json"),
        ("application/json", GRAPH_TYPES, "application/ld+json"),
        ("application/n-triples", GRAPH_TYPES, "application/n-triples"),
        ("application/x-turtle", GRAPH_TYPES, "text/turtle"),
        ("image/png", GRAPH_TYPES, None),
        (BROWSER, PAGE_OR_GRAPH, "text/html"),
        ("*/*", PAGE_OR_GRAPH, "text/turtle"),
        ("text/turtle, text/html;q=0.5", PAGE_OR_GRAPH, "text/turtle"),
    ],
)
def test_negotiate(accept, offers, expected):
    assert negotiate(accept, offers) == expected


@pytest.mark.parametrize(
    ("format_name", "offers", "expected"),
    [
        ("json", SOLUTION_TYPES, "application/sparql-results+json"),
        ("json", GRAPH_TYPES, "application/ld+json"),
        ("xml", GRAPH_TYPES, "application/rdf+xml"),
        ("tsv", SOLUTION_TYPES, "text/tab-separated-values"),
        ("application/sparql-results+xml", SOLUTION_TYPES, "application/sparql-results+xml"),
        ("application/json", SOLUTION_TYPES, "application/sparql-results+json"),
        ("turtle", SOLUTION_TYPES, None),
        ("csv", BOOLEAN_TYPES, None),
    ],
)
def test_format_parameter(format_name, offers, expected):
    assert choose_format(format_name, "text/csv", offers) == expected
