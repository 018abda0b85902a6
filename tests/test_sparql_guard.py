"""The query checks: what passes, what is refused, and that the refusals cannot be dodged."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from grasp.sparql.guard import (
    MAX_DEPTH,
    MAX_QUERY_CHARS,
    QueryRefused,
    check_query,
    check_update,
)

EXAMPLES = sorted((Path(__file__).parent.parent / "queries" / "examples").glob("*.rq"))


@pytest.mark.parametrize(
    ("query", "form", "has_dataset"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT", False),
        ("PREFIX ex: <http://x/> ASK { ex:a ex:b ex:c }", "ASK", False),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", False),
        ("DESCRIBE <http://x/a>", "DESCRIBE", False),
        ("SELECT * FROM <http://x/g> WHERE { ?s ?p ?o }", "SELECT", True),
        # The words SERVICE and LOAD where they are not keywords.
        ('SELECT * WHERE { ?s ?p "SERVICE LOAD" }', "SELECT", False),
        ("SELECT * WHERE { ?s ?p '''a\nSERVICE <http://x/> {}''' }", "SELECT", False),
        ("SELECT * WHERE { ?s <http://x/SERVICE> ?o }", "SELECT", False),
        ("PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:SERVICE ex:load }", "SELECT", False),
        ("SELECT ?service ?load WHERE { ?service ?p ?load }", "SELECT", False),
        ("SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> {}", "SELECT", False),
        ('SELECT * WHERE { ?s ?p "x"@service }', "SELECT", False),
        ("SELECT * WHERE { _:service ?p ?o }", "SELECT", False),
    ],
)
def test_allowed(query, form, has_dataset):
    checked = check_query(query)
    assert (checked.form, checked.has_dataset_clause) == (form, has_dataset)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { service silent <http://x/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { SERVICE<http://x/>{ ?s ?p ?o } }", "SERVICE"),
        (r"SELECT * WHERE { \u0053ERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
        (r"SELECT * WHERE { \U00000053ERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
        # Oxigraph reads SERVICE:x as SERVICE :x and calls out.
        ("PREFIX : <http://x/> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { ?s ?p 1SERVICE <http://x/> {} }", "SERVICE"),
        # A prefixed name ending in an escaped quote must not open a string that hides SERVICE.
        (r"PREFIX e: <http://x/> SELECT * WHERE { ?s ?p e:a\' . SERVICE <http://x/> {} # ' }", "SERVICE"),
        ("LOAD <http://x/data.ttl>", "LOAD"),
        ("INSERT DATA { <http://x/a> <http://x/b> 1 }", "Update"),
        ("DELETE WHERE { ?s ?p ?o }", "Update"),
        ("CLEAR ALL", "Update"),
        ("PREFIX ex: <http://x/>", "not a query"),
        ("SELECT * WHERE " + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1), "nests"),
        ("SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 10_000 + "true) }", "nests"),
        ("SELECT * WHERE { ?s " + "^" * 10_000 + "<http://x/p> ?o }", "nests"),
        ("SELECT (" + "+".join(["1"] * 5000) + " AS ?x) {}", "operators"),
        ("SELECT * WHERE { ?s ?p ?o } #" + "x" * MAX_QUERY_CHARS, "longer"),
    ],
)
def test_refused(query, reason):
    with pytest.raises(QueryRefused, match=reason):
        check_query(query)


def test_updates_refuse_service_and_load():
    assert check_update("INSERT DATA { <http://x/a> <http://x/b> 1 }").has_dataset_clause is False
    assert check_update("WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").has_dataset_clause
    for update in (
        "LOAD <http://x/data.ttl>",
        "load silent <http://x/data.ttl> into graph <http://x/g>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
        r"\u004cOAD <http://x/data.ttl>",
    ):
        with pytest.raises(QueryRefused):
            check_update(update)


def test_the_check_is_fast_and_flat():
    """A 64 KB text is scanned in a loop: no recursion, well under the parse cost."""
    import time

    query = "SELECT * WHERE { VALUES ?x { " + " ".join(f'"{i}"' for i in range(6000)) + " } }"
    assert len(query) < MAX_QUERY_CHARS
    started = time.perf_counter()
    check_query(query)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_queries_parse_and_say_what_they_return(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#+ summary: "), "each example opens with a #+ summary: line"
    checked = check_query(text)
    list(ox.Store().query(checked.text, use_default_graph_as_union=True))
