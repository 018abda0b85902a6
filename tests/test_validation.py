"""SHACL validation: the claims shapes, the ontology-rules shapes, and the two validators.

The request path validates with Grasp's small SHACL Core evaluator; pySHACL is the
reference. Every shapes test case must give the same report from both.
"""

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from grasp.assessment import Assessor
from grasp.claims import ClaimsGraph
from grasp.validation import CLAIMS_SHAPES, validate_graph, validate_ontology_rules

from conftest import case

SHAPE_CASES = sorted((Path(__file__).parent / "cases" / "shapes").glob("*.ttl"))


def expected_conformance(path: Path) -> bool:
    return path.read_text(encoding="utf-8").splitlines()[0].startswith("# conforms: true")


def validation_triples(assessor: Assessor, path: Path) -> list:
    triples = tuple(ox.Triple(q.subject, q.predicate, q.object)
                    for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    return assessor._validation_triples(ClaimsGraph(ox.NamedNode("urn:a"), triples))


@pytest.mark.parametrize("path", SHAPE_CASES, ids=lambda p: p.stem)
def test_both_validators_give_the_same_report(assessor, path):
    data = validation_triples(assessor, path)
    fast = validate_graph(data, CLAIMS_SHAPES)
    reference = validate_graph(data, CLAIMS_SHAPES, reference=True)
    assert fast == reference
    assert fast.conforms is expected_conformance(path)


def test_shape_cases_cover_every_constraint_of_the_claims_shapes(assessor):
    shapes_cited = {v.shape for path in SHAPE_CASES
                    for v in validate_graph(validation_triples(assessor, path), CLAIMS_SHAPES).violations}
    assert {"https://w3id.org/grasp/ontology#" + name for name in (
        "OneAssessmentShape", "AssessmentShape", "ClaimShape", "ConceptNeedsStanceShape")} <= shapes_cited


def test_the_shipped_ontology_follows_its_rules(ontology):
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(ontology.triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert validate_ontology_rules(graph).conforms


def test_broken_rules_are_reported_in_plain_words():
    graph = rdflib.Graph().parse(case("../../ontology/grasp.ttl"))
    graph.parse(case("broken-duplicate-rank.ttl"))
    graph.parse(data="""@prefix grasp: <https://w3id.org/grasp/ontology#> .
        grasp:Architect grasp:buildsOn grasp:OntologyCreator .""", format="turtle")
    report = validate_ontology_rules(graph)
    assert not report.conforms
    text = report.text()
    assert "share this rank" in text
    assert "declared concept" in text
    assert "cycle" in text


def test_the_reference_validator_does_not_grow_a_cache(assessor):
    from pyshacl.rdfutil import stringify

    data = validation_triples(assessor, SHAPE_CASES[0])
    for _ in range(20):
        validate_graph(data, CLAIMS_SHAPES, reference=True)
    assert len(stringify.stringify_blank_node.dict_cache) == 0
