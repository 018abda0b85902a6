"""Free text to (concept, stance), driven by the ontology's indicators."""

import pytest

from grasp.mapping import Mapper, detect_language
from grasp.ontology import Indicator

G = "https://w3id.org/grasp/ontology#"


def readings(mapper, text, lang=None):
    return {(r.concept.rpartition("#")[2], r.stance) for r in mapper.map(text, lang or detect_language(text))}


@pytest.fixture(scope="module")
def mapper(ontology):
    return Mapper.for_ontology(ontology)


@pytest.mark.parametrize("text, expected", [
    ("An LLM does not think.", {("Anthropomorphism", "denies")}),
    ("LLM не думает.", {("Anthropomorphism", "denies")}),
    ("An LLM is not just an assistant.", {("AssistantView", "denies")}),
    ("An LLM is just an assistant. I chat with it.", {("AssistantView", "affirms")}),
    ("LaMDA is sentient.", {("Anthropomorphism", "affirms")}),
    ("LLM — вероятностная машина смыслов, работающая на токенах.", {("ProbabilisticTokenView", "affirms")}),
])
def test_statements_map_to_concept_and_stance(mapper, text, expected):
    assert expected <= readings(mapper, text)


def test_inflection_and_case_do_not_matter(mapper):
    assert ("OntologicalUnderstanding", "affirms") in readings(
        mapper, "ЛОКАЛЬНОГО ПРИОРИТЕТА в языковом коллапсе")


def test_negation_stops_at_the_clause(mapper):
    found = readings(mapper, "I don't describe how attention works but why it is needed at all: "
                             "as a form of local priority in the collapse of language.")
    assert ("OntologicalUnderstanding", "affirms") in found
    assert ("OntologicalUnderstanding", "denies") not in found


def test_every_match_explains_itself(mapper):
    text = "Simulations of reasoning are consequences of the pressure of structure."
    reading = mapper.map(text, "en")[0]
    assert reading.concept == G + "SimulationOfReasoning"
    assert text[reading.start:reading.end].lower().startswith("simulations of reasoning")
    assert 0 < reading.confidence <= 1


def test_text_with_no_indicator_maps_to_nothing(mapper):
    assert mapper.map("I had pancakes for breakfast.", "en") == []


def test_a_new_indicator_is_enough_to_be_recognised():
    mapper = Mapper([Indicator(G + "Metacognition", "own understanding", "en")])
    assert readings(mapper, "I reflect on my own understanding.", "en") == {("Metacognition", "affirms")}


def test_language_detection():
    assert detect_language("Я разделяю модель и поведение") == "ru"
    assert detect_language("I separate the model from its behaviour") == "en"
