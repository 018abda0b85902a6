"""What Protégé saves, Grasp reads the same: the round trip through the OWL API's writers.

The test makes the edit of the README chapter "Extend Grasp in Protégé" (a new concept with
labels, definition and indicators, required by a level), lets the OWL API (Protégé's own
library) save the extended ontology as RDF/XML, OWL/XML and Turtle, and reads each back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Namespace
from rdflib.namespace import OWL, RDF, RDFS

from grasp import owlapi
from grasp.config import PROJECT_ROOT
from grasp.sources import Format, detect_format, read_ontology

pytestmark = pytest.mark.skipif(
    not owlapi.available(), reason="needs Java and the OWL API (libowlapi-java)"
)

G = Namespace("https://w3id.org/grasp/ontology#")
SHIPPED = PROJECT_ROOT / "ontology" / "grasp.ttl"
CASES = Path(__file__).parent / "cases"

#: The README chapter's edit, in the Turtle Protégé would write for it.
EXTENSION = """
grasp:AttentionAsPriority
    a owl:Class ;
    rdfs:subClassOf grasp:OntologicalUnderstanding ;
    rdfs:label "Attention as priority"@en , "Внимание как приоритет"@ru ;
    skos:definition "Reads attention as a form of local priority in the collapse of language."@en ,
                    "Видит во внимании форму локального приоритета при схлопывании языка."@ru ;
    grasp:indicator "priority in the collapse of language"@en ,
                    "приоритет при схлопывании языка"@ru .

grasp:Architect grasp:requires grasp:AttentionAsPriority .
"""

#: The predicates whose triples decide an assessment.
RULES = {G.rank, G.requires, G.forbids, G.buildsOn, G.indicator, RDFS.label, RDFS.subClassOf}
SAVED_AS = {
    owlapi.SaveFormat.RDF_XML: Format.RDF_XML,
    owlapi.SaveFormat.OWL_XML: Format.OWL_XML,
    owlapi.SaveFormat.TURTLE: Format.TURTLE,
}


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("edited")
    path = folder / "grasp.ttl"
    path.write_text(SHIPPED.read_text(encoding="utf-8") + EXTENSION, encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=list(SAVED_AS), ids=lambda f: f.value)
def saved(request, edited, tmp_path_factory) -> tuple[owlapi.SaveFormat, Path]:
    fmt = request.param
    # The extension Protégé gives each format does not matter: Grasp reads the content.
    out = tmp_path_factory.mktemp(fmt.value) / "grasp.owl"
    owlapi.convert(edited, out, fmt)
    return fmt, out


def rules(graph: Graph) -> set[tuple]:
    return {
        (s, p, o)
        for s, p, o in graph
        if p in RULES or (p == RDF.type and o == G.Level)
        if not isinstance(s, BNode) and not isinstance(o, BNode)
    }


def without_blank_nodes(graph: Graph) -> set[tuple]:
    # The OWL API writes a two-member owl:AllDifferent as owl:differentFrom: same meaning.
    return {
        t
        for t in graph
        if not any(isinstance(term, BNode) for term in t) and t[1] != OWL.differentFrom
    }


def test_the_owl_api_writes_the_format_asked_for(saved):
    fmt, path = saved
    assert detect_format(path.read_bytes()) is SAVED_AS[fmt]


def test_what_the_owl_api_saved_reads_as_the_same_rules(edited, saved):
    _fmt, path = saved
    original = read_ontology([edited])
    again = read_ontology([path])
    assert rules(again) == rules(original)
    assert (G.Architect, G.requires, G.AttentionAsPriority) in again
    assert len([t for t in rules(original) if t[1] == G.indicator]) > 20


def test_what_the_owl_api_saved_reads_as_the_same_triples(edited, saved):
    # Stronger than the rules: every triple without a blank node comes back unchanged.
    _fmt, path = saved
    assert without_blank_nodes(read_ontology([path])) == without_blank_nodes(
        read_ontology([edited])
    )


def test_the_service_reads_the_same_facts_from_every_format(edited, saved):
    from grasp.ontology import load_ontology

    _fmt, path = saved
    original, again = load_ontology([edited]), load_ontology([path])
    assert again.levels == original.levels
    assert set(again.indicators) == set(original.indicators)
    assert again.ancestors == original.ancestors
    assert again.version == original.version
    assert str(G.AttentionAsPriority) in again.ancestors


def test_the_shipped_ontology_is_in_the_owl2_dl_profile():
    assert owlapi.dl_profile_violations(SHIPPED) == []


def test_what_the_owl_api_saved_stays_in_the_owl2_dl_profile(saved):
    _fmt, path = saved
    assert owlapi.dl_profile_violations(path) == []


def test_a_profile_violation_names_the_entity(tmp_path):
    path = tmp_path / "undeclared.ttl"
    path.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<urn:x:o> a <http://www.w3.org/2002/07/owl#Ontology> .\n"
        "<http://example.org/B> rdfs:subClassOf <http://example.org/A> .\n",
        encoding="utf-8",
    )
    report = owlapi.dl_profile_report(path)
    assert {v.entity for v in report} >= {"http://example.org/A", "http://example.org/B"}
    assert all(v.kind == "UseOfUndeclaredClass" for v in report)


@pytest.mark.parametrize("name", ["pizza.owl", "pizza.owx"])
def test_pizza_saved_by_protege_reads_the_same_in_rdf_xml_and_owl_xml(name):
    graph = read_ontology([CASES / name])
    reference = read_ontology([CASES / "pizza.owl"])
    assert without_blank_nodes(graph) == without_blank_nodes(reference)
    pizza = Namespace("http://www.co-ode.org/ontologies/pizza/pizza.owl#")
    assert (pizza.American, RDFS.subClassOf, pizza.NamedPizza) in graph
    assert len(set(graph.subjects(RDF.type, OWL.Class))) > 90
