"""The inferred hierarchy: what an engineer states in Protégé counts for the core concepts."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import RDFS

from grasp.config import PROJECT_ROOT
from grasp.reasoning import (
    ReasoningError,
    check_consistency,
    infer_hierarchy,
    reason,
)
from grasp.sources import read_ontology

G = Namespace("https://w3id.org/grasp/ontology#")
SHIPPED = PROJECT_ROOT / "ontology" / "grasp.ttl"
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")

PREFIXES = """
@prefix grasp: <https://w3id.org/grasp/ontology#> .
@prefix owl:   <http://www.w3.org/2002/07/owl#> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
"""

#: What an engineer adds in Protégé: one concept under a core one, one equivalent to it.
EXTENSION = (
    PREFIXES
    + """
grasp:TransformerBlockView a owl:Class ; rdfs:subClassOf grasp:ComponentView .
grasp:LayerStackView a owl:Class ; owl:equivalentClass grasp:TransformerBlockView .
"""
)


def shipped_with(extra: str) -> Graph:
    graph = read_ontology([SHIPPED])
    graph.parse(data=extra, format="turtle")
    return graph


@pytest.fixture(scope="module")
def extended() -> Graph:
    return shipped_with(EXTENSION)


@pytest.mark.parametrize("reasoner", ["none", "owlrl", pytest.param("hermit", marks=needs_java)])
def test_a_stated_subclass_or_equivalent_counts_for_the_core_concept(extended, reasoner):
    hierarchy = infer_hierarchy(extended, reasoner=reasoner)
    for new in (G.TransformerBlockView, G.LayerStackView):
        assert (new, RDFS.subClassOf, G.ComponentView) in hierarchy
        assert (new, RDFS.subClassOf, G.OperationalUnderstanding) in hierarchy
        assert (new, RDFS.subClassOf, G.Concept) in hierarchy
    # Equivalence goes both ways.
    assert (G.TransformerBlockView, RDFS.subClassOf, G.LayerStackView) in hierarchy
    assert (G.LayerStackView, RDFS.subClassOf, G.TransformerBlockView) in hierarchy


@pytest.mark.parametrize("reasoner", ["none", "owlrl", pytest.param("hermit", marks=needs_java)])
def test_the_hierarchy_has_only_named_classes_and_no_loops(extended, reasoner):
    hierarchy = infer_hierarchy(extended, reasoner=reasoner)
    for s, p, o in hierarchy:
        assert p == RDFS.subClassOf
        assert s != o
        assert str(s).startswith("http") and str(o).startswith("http")


@needs_java
def test_hermit_finds_what_only_description_logic_entails():
    # X is a Concept that is either an AssistantView or a ComponentView, and is not an
    # AssistantView: so it is a ComponentView. OWL RL and the plain closure miss this.
    graph = shipped_with(
        PREFIXES
        + """
        grasp:X a owl:Class ;
            rdfs:subClassOf [ a owl:Class ; owl:unionOf ( grasp:AssistantView grasp:ComponentView ) ] ,
                            [ a owl:Class ; owl:complementOf grasp:AssistantView ] .
    """
    )
    assert (G.X, RDFS.subClassOf, G.ComponentView) in infer_hierarchy(graph, reasoner="hermit")
    assert (G.X, RDFS.subClassOf, G.ComponentView) not in infer_hierarchy(graph, reasoner="none")


@needs_java
def test_the_shipped_ontology_is_consistent():
    assert check_consistency(read_ontology([SHIPPED])) == []


@needs_java
def test_an_unsatisfiable_class_is_named_and_left_out_of_the_hierarchy():
    # Anthropomorphism and ModelBehaviourDistinction are disjoint in the shipped ontology.
    graph = shipped_with(
        PREFIXES
        + """
        grasp:Confused a owl:Class ;
            rdfs:subClassOf grasp:Anthropomorphism , grasp:ModelBehaviourDistinction .
    """
    )
    result = reason(graph, reasoner="hermit")
    assert result.consistent
    assert result.unsatisfiable == [G.Confused]
    assert not list(result.hierarchy.triples((G.Confused, None, None)))
    assert any("Confused" in message for message in check_consistency(graph))


@needs_java
def test_an_inconsistent_ontology_is_reported_and_gives_no_hierarchy():
    graph = shipped_with(
        PREFIXES
        + """
        grasp:somebody a grasp:Anthropomorphism , grasp:ModelBehaviourDistinction .
    """
    )
    assert "inconsistent" in check_consistency(graph)[0]
    with pytest.raises(ReasoningError, match="inconsistent"):
        infer_hierarchy(graph, reasoner="hermit")


def test_an_unknown_reasoner_is_refused():
    with pytest.raises(ValueError, match="unknown reasoner"):
        infer_hierarchy(Graph(), reasoner="pellet")  # type: ignore[arg-type]
