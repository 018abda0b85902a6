"""The pipeline: claims graph → SHACL → readings → the queries' verdict."""

import pytest

from grasp.assessment import Assessor, InvalidClaims
from grasp.claims import AssessRequest, InputFormat, from_json, read_claims
from grasp.config import Settings
from grasp.namespaces import expand
from grasp.ontology import load_ontology

from conftest import case, case_json

BASE = Settings().base_iri
GOLD = case_json("gold.expected.json")


def statuses(assessment) -> dict[str, str]:
    return {result.level: result.status for result in assessment.levels}


def assess_json(assessor, name):
    return assessor.assess(from_json(AssessRequest(**case_json(name)), base_iri=BASE))


@pytest.mark.parametrize("name", ["gold-en.json", "gold-ru.json", "gold-concepts.json"])
def test_gold_case_gives_the_seeds_verdict(assessor, name):
    assessment = assess_json(assessor, name)
    assert statuses(assessment) == {expand(k): v for k, v in GOLD["levels"].items()}
    assert assessment.level == expand(GOLD["highest"])


def test_gold_case_in_turtle_gives_the_same_verdict(assessor):
    claims = read_claims(case("gold.ttl").read_bytes(), InputFormat.TURTLE, base_iri=BASE)
    assessment = assessor.assess(claims)
    assert statuses(assessment) == {expand(k): v for k, v in GOLD["levels"].items()}


def test_the_next_level_says_what_is_missing(assessor):
    assessment = assess_json(assessor, "gold-en.json")
    creator = next(r for r in assessment.levels if r.level == expand("grasp:OntologyCreator"))
    missing = [r.concept for r in creator.requirements if not r.prohibition and not r.satisfied]
    assert missing == [expand(c) for c in GOLD["missing"]["grasp:OntologyCreator"]]


def test_every_satisfied_requirement_names_the_claims_behind_it(assessor):
    assessment = assess_json(assessor, "gold-en.json")
    architect = next(r for r in assessment.levels if r.level == expand("grasp:Architect"))
    evidence = {r.concept.rpartition("#")[2]: r.evidence for r in architect.requirements
                if not r.prohibition}
    assert evidence == {"OntologicalUnderstanding": (0,), "ModelBehaviourDistinction": (1,),
                        "SimulationOfReasoning": (2,)}


def test_an_affirmed_prohibition_makes_the_level_unmet(assessor):
    request = case_json("gold-concepts.json")
    request["claims"].append({"text": "Honestly, I think the model thinks and has feelings."})
    assessment = assessor.assess(from_json(AssessRequest(**request), base_iri=BASE))
    architect = statuses(assessment)[expand("grasp:Architect")]
    assert architect == "unmet"
    assert assessment.level == expand("grasp:Researcher")


def test_a_subclass_satisfies_its_superclass(assessor):
    # MeaningFieldSimulationView is a kind of OntologicalUnderstanding.
    request = {"subject": "bob", "claims": [
        {"concept": "grasp:MeaningFieldSimulationView", "stance": "affirms"}]}
    assessment = assessor.assess(from_json(AssessRequest(**request), base_iri=BASE))
    architect = next(r for r in assessment.levels if r.level == expand("grasp:Architect"))
    satisfied = {r.concept for r in architect.requirements if r.satisfied and not r.prohibition}
    assert expand("grasp:OntologicalUnderstanding") in satisfied
    assert architect.status == "partial"


def test_denying_a_concept_does_not_satisfy_it(assessor):
    request = {"subject": "carol", "claims": [
        {"concept": "grasp:ProbabilisticTokenView", "stance": "denies"}]}
    assessment = assessor.assess(from_json(AssessRequest(**request), base_iri=BASE))
    assert statuses(assessment)[expand("grasp:Researcher")] == "unmet"
    assert assessment.level is None


def test_an_unmapped_claim_is_reported_not_dropped(assessor):
    request = {"subject": "dave", "claims": [{"text": "The weather is lovely today."}]}
    assessment = assessor.assess(from_json(AssessRequest(**request), base_iri=BASE))
    assert [c.index for c in assessment.claims] == [0]
    assert assessment.claims[0].readings == ()
    assert assessment.level is None


def test_invalid_claims_raise_with_the_report(assessor):
    request = {"subject": "erin", "claims": [{"concept": "grasp:NoSuchConcept", "stance": "affirms"}]}
    with pytest.raises(InvalidClaims) as raised:
        assessor.assess(from_json(AssessRequest(**request), base_iri=BASE))
    assert "concept of the loaded ontology" in raised.value.report.text()


def test_an_extension_with_a_sixth_level_changes_the_verdict_without_code():
    extended = Assessor(load_ontology([case("../../ontology"), case("extension-sixth-level.ttl")]))
    request = case_json("gold-concepts.json")
    request["claims"] += [
        {"concept": "grasp:PostSymbolicView", "stance": "affirms"},
        {"text": "I keep questioning how my own understanding of these models was formed."},
    ]
    assessment = extended.assess(from_json(AssessRequest(**request), base_iri=BASE))
    sage = "https://example.org/grasp-extension#Sage"
    assert statuses(assessment)[sage] == "met"
    assert assessment.level == sage
    assert [level.rank for level in extended.ontology.levels] == [1, 2, 3, 4, 5, 6]


def test_an_extension_with_slash_iris_gets_its_own_result_nodes(tmp_path):
    # Result IRIs use the local name after "#"; an IRI without one is named by a hash, so
    # two slash-IRI concepts of one level still get two requirement results.
    extension = tmp_path / "slash-extension.ttl"
    extension.write_text(
        case("extension-sixth-level.ttl").read_text(encoding="utf-8")
        .replace("<https://example.org/grasp-extension#>", "<https://example.org/grasp-extension/>")
        .replace("grasp:requires ext:Metacognition .",
                 "grasp:requires ext:Metacognition , grasp:PostSymbolicView ."),
        encoding="utf-8")
    extended = Assessor(load_ontology([case("../../ontology"), extension]))
    request = case_json("gold-concepts.json")
    request["claims"].append(
        {"text": "I keep questioning how my own understanding of these models was formed."})
    assessment = extended.assess(from_json(AssessRequest(**request), base_iri=BASE))
    sage = "https://example.org/grasp-extension/Sage"
    assert statuses(assessment)[sage] == "partial"
    sage_result = next(level for level in assessment.levels if level.level == sage)
    assert {r.concept for r in sage_result.requirements if r.satisfied} >= {
        "https://example.org/grasp-extension/Metacognition"}
    result_nodes = {t.subject.value for t in assessment.triples
                    if t.object.value == expand("grasp:RequirementResult")}
    assert len(result_nodes) == sum(len(level.requirements) for level in assessment.levels)
    level_nodes = {t.subject.value for t in assessment.triples
                   if t.object.value == expand("grasp:LevelResult")}
    fragments = [iri.partition("#")[2] for iri in result_nodes | level_nodes]
    assert len(level_nodes) == 6
    assert all(f and not f.startswith("-") and "--" not in f for f in fragments), fragments


def test_memory_stays_flat_over_many_assessments(assessor):
    import tracemalloc

    request = AssessRequest(**case_json("gold-en.json"))
    for _ in range(50):
        assessor.assess(from_json(request, base_iri=BASE))
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for _ in range(200):
        assessor.assess(from_json(request, base_iri=BASE))
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    growth = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert growth < 256 * 1024, f"{growth} bytes kept after 200 assessments"


def test_the_reasoner_makes_a_defined_concept_count_for_the_core_one():
    paths = [case("../../ontology"), case("extension-defined-concept.ttl")]
    request = AssessRequest(subject="olga", claims=[
        {"concept": "https://example.org/grasp-defined#AttentionAsPriority", "stance": "affirms"}])
    reasoned = Assessor(load_ontology(paths, reasoner="hermit"))
    architect = next(r for r in reasoned.assess(from_json(request, base_iri=BASE)).levels
                     if r.level == expand("grasp:Architect"))
    satisfied = {r.concept for r in architect.requirements if r.satisfied and not r.prohibition}
    assert satisfied == {expand("grasp:OntologicalUnderstanding")}
    # Without a reasoner, nothing says the defined class is a concept at all.
    stated_only = Assessor(load_ontology(paths, reasoner="none"))
    with pytest.raises(InvalidClaims):
        stated_only.assess(from_json(request, base_iri=BASE))
