"""``grasp check``: clean on the shipped ontology, and names the entity behind every mistake."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery

from grasp import owlapi
from grasp.check import QC_FOLDER, CheckResult, Finding, main, run_checks, run_query
from grasp.config import PROJECT_ROOT

GRASP = "https://w3id.org/grasp/ontology#"
ONTOLOGY = PROJECT_ROOT / "ontology"
CASES = Path(__file__).parent / "cases"
needs_java = pytest.mark.skipif(
    not owlapi.available(), reason="needs Java and the OWL API (libowlapi-java)"
)

PREFIXES = """@prefix grasp: <https://w3id.org/grasp/ontology#> .
@prefix owl:   <http://www.w3.org/2002/07/owl#> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:  <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .
"""

#: A complete new concept, as the README chapter has an engineer add it.
GOOD_CONCEPT = """
grasp:{name} a owl:Class ;
    rdfs:subClassOf grasp:Concept ;
    rdfs:label "{name}"@en , "{name} (ru)"@ru ;
    skos:definition "A test concept."@en , "Тестовый концепт."@ru ;
    grasp:indicator "{name} phrase"@en , "{name} фраза"@ru .
"""


def extended(tmp_path: Path, extra: str) -> Path:
    """Copy the shipped ontology folder and add a file with the engineer's edit."""
    folder = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, folder)
    (folder / "zz-edit.ttl").write_text(PREFIXES + extra, encoding="utf-8")
    return folder


def named(result: CheckResult, check: str) -> set[str]:
    return {f.entity for f in result.findings if f.check == check}


# --- the shipped ontology -------------------------------------------------------------


@needs_java
def test_the_shipped_ontology_is_clean():
    result = run_checks([ONTOLOGY])
    assert result.findings == [], result.to_table()
    assert result.not_run == {}
    assert result.exit_code == 0


def test_the_shipped_ontology_passes_the_queries_and_shapes_without_java():
    result = run_checks([ONTOLOGY], reasoner=False)
    assert [f for f in result.findings if f.check != "owl2-dl-profile"] == []
    assert "consistency" in result.skipped


@pytest.mark.parametrize("query", sorted(QC_FOLDER.glob("*-violation.rq")), ids=lambda p: p.name)
def test_every_qc_query_parses_says_what_it_checks_and_returns_the_report_columns(query):
    text = query.read_text(encoding="utf-8")
    assert text.startswith("# ") and len(text.splitlines()[0]) > 20
    parsed = prepareQuery(text)
    columns = {str(v) for v in parsed.algebra["PV"]}
    assert {"entity", "property", "value"} <= columns
    assert run_query(query, Graph()) == []


def test_there_is_a_qc_query_for_each_rule_of_the_issue():
    names = {p.name.removesuffix("-violation.rq") for p in QC_FOLDER.glob("*-violation.rq")}
    assert names >= {
        "missing-label",
        "missing-definition",
        "missing-indicator",
        "duplicate-indicator",
        "unsatisfiable-level",
        "deprecated-requirement",
    }


# --- every way to break it ------------------------------------------------------------

BREAKS = {
    "label missing in Russian": (
        """grasp:NoRussianLabel a owl:Class ; rdfs:subClassOf grasp:Concept ;
            rdfs:label "no Russian label"@en ;
            skos:definition "d"@en , "о"@ru ; grasp:indicator "lonely label"@en , "одинокая метка"@ru .""",
        "qc/missing-label",
        "NoRussianLabel",
    ),
    "definition missing in English": (
        """grasp:NoDefinition a owl:Class ; rdfs:subClassOf grasp:Concept ;
            rdfs:label "no definition"@en , "без определения"@ru ;
            skos:definition "только русское"@ru ;
            grasp:indicator "undefined thing"@en , "неопределённая вещь"@ru .""",
        "qc/missing-definition",
        "NoDefinition",
    ),
    "no indicator in Russian": (
        """grasp:EnglishOnly a owl:Class ; rdfs:subClassOf grasp:Concept ;
            rdfs:label "English only"@en , "только английский"@ru ;
            skos:definition "d"@en , "о"@ru ; grasp:indicator "english only phrase"@en .""",
        "qc/missing-indicator",
        "EnglishOnly",
    ),
    "the same indicator on two concepts": (
        GOOD_CONCEPT.format(name="First").replace('"First phrase"@en', '"Shared Phrase"@en')
        + GOOD_CONCEPT.format(name="Second").replace('"Second phrase"@en', '"shared phrase"@en'),
        "qc/duplicate-indicator",
        "First",
    ),
    "a level that requires what it forbids": (
        GOOD_CONCEPT.format(name="Paradox")
        + """grasp:Impossible a owl:NamedIndividual , grasp:Level ; grasp:rank 6 ;
            rdfs:label "Impossible"@en , "Невозможный"@ru ;
            skos:definition "d"@en , "о"@ru ;
            grasp:requires grasp:Paradox ; grasp:forbids grasp:Paradox .""",
        "qc/unsatisfiable-level",
        "Impossible",
    ),
    "a level that requires a subclass of what the level it builds on forbids": (
        """grasp:Sentience a owl:Class ; rdfs:subClassOf grasp:Anthropomorphism ;
            rdfs:label "sentience"@en , "разумность"@ru ; skos:definition "d"@en , "о"@ru ;
            grasp:indicator "is sentient being"@en , "разумное существо"@ru .
        grasp:Beyond a owl:NamedIndividual , grasp:Level ; grasp:rank 6 ;
            rdfs:label "Beyond"@en , "За гранью"@ru ; skos:definition "d"@en , "о"@ru ;
            grasp:buildsOn grasp:OntologyCreator ; grasp:requires grasp:Sentience .""",
        "qc/unsatisfiable-level",
        "Beyond",
    ),
    "a requirement on a deprecated term": (
        GOOD_CONCEPT.format(name="OldView")
        + """grasp:OldView owl:deprecated true .
        grasp:Researcher grasp:requires grasp:OldView .""",
        "qc/deprecated-requirement",
        "Researcher",
    ),
    "two levels share a rank": (
        """grasp:Researcher grasp:rank 4 .""",
        "ontology-rules",
        "Researcher",
    ),
}


@pytest.mark.parametrize("case", BREAKS, ids=str)
def test_each_break_is_reported_with_the_offending_entity(tmp_path, case):
    extra, check, entity = BREAKS[case]
    result = run_checks([extended(tmp_path, extra)], reasoner=False)
    assert GRASP + entity in named(result, check), result.to_table()
    assert result.exit_code in (1, 2)
    errors = [f for f in result.findings if f.severity == "error"]
    assert errors


@needs_java
def test_an_unsatisfiable_concept_is_named(tmp_path):
    folder = extended(
        tmp_path,
        GOOD_CONCEPT.format(name="Confused")
        + """
        grasp:Confused rdfs:subClassOf grasp:Anthropomorphism , grasp:ModelBehaviourDistinction .""",
    )
    result = run_checks([folder])
    assert named(result, "consistency") == {GRASP + "Confused"}
    assert result.exit_code == 1


@needs_java
def test_an_inconsistent_ontology_is_an_error(tmp_path):
    folder = extended(
        tmp_path,
        """
        grasp:somebody a grasp:Anthropomorphism , grasp:ModelBehaviourDistinction .""",
    )
    result = run_checks([folder])
    assert any("inconsistent" in f.message for f in result.findings if f.check == "consistency")
    assert result.exit_code == 1


@needs_java
def test_leaving_the_owl2_dl_profile_is_named(tmp_path):
    # Protégé declares every entity; a hand edit that forgets to is outside OWL 2 DL.
    folder = extended(tmp_path, """grasp:Undeclared rdfs:subClassOf grasp:Concept .""")
    result = run_checks([folder], reasoner=False)
    assert GRASP + "Undeclared" in named(result, "owl2-dl-profile"), result.to_table()
    assert result.exit_code == 1


def test_an_ontology_that_does_not_load_exits_2(tmp_path):
    folder = extended(tmp_path, "grasp:Broken a owl:Class ; rdfs:label .")
    result = run_checks([folder])
    assert result.exit_code == 2
    assert "zz-edit.ttl" in result.not_run["load"]


# --- output -----------------------------------------------------------------------------


def test_the_table_and_the_json_carry_every_field():
    result = CheckResult(
        findings=[Finding("qc/x", "error", GRASP + "Thing", GRASP + "indicator", "en", "msg")],
        not_run={"owl2-dl-profile": "no Java"},
    )
    table = result.to_table()
    assert "grasp:Thing" in table and "grasp:indicator" in table and "NOT RUN" in table
    data = json.loads(result.to_json())
    assert data["exit_code"] == 2
    assert data["findings"][0]["entity"] == GRASP + "Thing"
    assert data["not_run"] == {"owl2-dl-profile": "no Java"}


def test_main_prints_json_and_returns_the_exit_code(tmp_path):
    out = io.StringIO()
    folder = extended(tmp_path, "grasp:Researcher grasp:rank 4 .")
    code = main([folder], as_json=True, reasoner=False, out=out)
    assert code == 1
    assert json.loads(out.getvalue())["exit_code"] == 1


# --- public ontologies saved by Protégé -------------------------------------------------


@pytest.mark.parametrize("name", ["pizza.owl", "pizza.owx"])
def test_pizza_loads_and_checks_without_crashing(name):
    result = run_checks([CASES / name], reasoner=owlapi.available())
    assert "load" not in result.not_run
    assert result.exit_code in (0, 1)
    if owlapi.available():
        # The tutorial's deliberate mistake: a topping under two disjoint parents.
        pizza = "http://www.co-ode.org/ontologies/pizza/pizza.owl#"
        assert {pizza + "CheeseyVegetableTopping", pizza + "IceCream"} <= named(
            result, "consistency"
        )
