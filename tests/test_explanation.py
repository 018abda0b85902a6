"""The assessment explains itself: evidence for the highest level, what the next one needs."""

import pytest

from grasp.claims import from_json, parse_json
from grasp.explanation import explain

from conftest import case


@pytest.fixture(scope="module")
def gold(assessor):
    return {lang: assessor.assess(from_json(parse_json(case(f"gold-{lang}.json").read_bytes()),
                                            base_iri="https://w3id.org/grasp/data/"))
            for lang in ("en", "ru")}


def test_english_names_the_claims_behind_each_requirement_and_what_is_missing(gold, ontology):
    text = explain(gold["en"], ontology, "en")
    lines = text.splitlines()
    assert lines[0] == "Highest level met: 4. Architect."
    assert any(line.startswith("- Simulation of reasoning: claim 2 ") for line in lines)
    assert "Next level, 5. Creator of new ontologies (partial):" in lines
    assert "- Post-symbolic view: needs a claim that affirms it." in lines


def test_russian_in_the_requests_language(gold, ontology):
    text = explain(gold["ru"], ontology, "ru")
    assert text.startswith("Наивысший выполненный уровень: 4. Архитектор.")
    assert "- Пост-символический взгляд: нужно утверждение, которое это подтверждает." in text


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_no_flattery_and_no_population_claim(gold, ontology, lang):
    text = explain(gold[lang], ontology, lang).lower()
    for word in ("%", "percent", "процент", "genius", "гени", "better than", "лучше", "most ",
                 "большинств", "deeper than", "глубже"):
        assert word not in text


def test_a_blocked_level_names_the_claim_that_blocks_it(assessor, ontology):
    request = parse_json(b'{"subject": "x", "claims": ['
                         b'{"text": "An LLM is a probabilistic machine of meanings that works on tokens."},'
                         b'{"text": "LaMDA is sentient."}]}')
    assessment = assessor.assess(from_json(request, base_iri="https://w3id.org/grasp/data/"))
    text = explain(assessment, ontology, "en")
    assert text.startswith("Highest level met: 3. Researcher.")
    assert 'Anthropomorphism is forbidden at this level, and claim 1 "LaMDA is sentient" affirms it.' in text


def test_nothing_met(assessor, ontology):
    request = parse_json(b'{"subject": "x", "claims": [{"text": "I had pancakes."}]}')
    text = explain(assessor.assess(from_json(request, base_iri="https://w3id.org/grasp/data/")),
                   ontology, "en")
    assert text.splitlines()[0] == "No level is met."
    assert "Next level, 1. Consumer (unmet):" in text
    assert text.splitlines()[-1] == "Claims that matched no concept: 0."
