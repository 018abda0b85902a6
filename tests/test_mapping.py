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


# --- the mapper of issue 4: stance, scope, several concepts, evidence -------------------


@pytest.mark.parametrize("text, expected", [
    # negation and its scope
    ("It doesn't think, it just produces text.", {("Anthropomorphism", "denies")}),
    ("Она не думает, она генерирует текст.", {("Anthropomorphism", "denies")}),
    ("It's way more than an assistant.", {("AssistantView", "denies")}),
    ("Это не просто чат-бот.", {("AssistantView", "denies")}),
    ("статьи на arXiv я не читаю", {("FormalKnowledge", "denies")}),
    # a dismissal anywhere in the sentence denies what it names
    ('The "it just predicts the next token" line is outdated.', {("ProbabilisticTokenView", "denies")}),
    ("«Поле смыслов» — это эзотерика.", {("MeaningFieldSimulationView", "denies")}),
    # a phrase that denies without a negation word, and its negation
    ("Models genuinely reason now.", {("SimulationOfReasoning", "denies")}),
    ("It isn't really reasoning.", {("SimulationOfReasoning", "affirms")}),
])
def test_stance_follows_negations_dismissals_and_denial_phrases(mapper, text, expected):
    assert readings(mapper, text) == expected


def test_negation_does_not_cross_a_clause(mapper):
    found = readings(mapper, "It doesn't think, we project thinking onto the text it produces.")
    assert ("MeaningFieldSimulationView", "affirms") in found
    assert ("MeaningFieldSimulationView", "denies") not in found


def test_a_statement_can_carry_several_concepts(mapper):
    found = readings(mapper, "I use it as an assistant, sure, but I know it's just predicting tokens.")
    assert found == {("AssistantView", "affirms"), ("ProbabilisticTokenView", "affirms")}


def test_a_hedge_keeps_the_stance_and_lowers_the_confidence(mapper):
    plain = mapper.map("It understands me.", "en")[0]
    hedged = mapper.map("Maybe it understands me.", "en")[0]
    assert (hedged.concept, hedged.stance) == (plain.concept, plain.stance)
    assert hedged.hedged and hedged.confidence < plain.confidence


def test_the_cue_that_set_the_stance_is_shown(mapper):
    text = "I have never written a line of model code."
    reading = mapper.map(text, "en")[0]
    assert reading.stance == "denies" and reading.cue == "never"
    assert text[reading.start:reading.end] == "model code"


@pytest.mark.parametrize("text", [
    "I paid attention to the lecture.",
    "She added another layer of frosting to the cake.",
    "My assistant will send you the invoice tomorrow morning.",
    "Слои торта пропитались кремом только к утру.",
    "def attention(q, k, v): return softmax(q @ k.T / sqrt(d)) @ v",
])
def test_everyday_words_and_code_map_to_nothing(mapper, text):
    assert mapper.map(text, detect_language(text)) == []


def test_one_word_phrases_count_in_a_statement_about_llms(mapper):
    assert readings(mapper, "An LLM is attention plus layers.") == {("ComponentView", "affirms")}


def test_denial_indicators_come_from_the_ontology():
    mapper = Mapper([], denial_indicators=[Indicator(G + "Metacognition", "never reflect", "en")])
    assert readings(mapper, "I never reflect on it.", "en") == {("Metacognition", "denies")}


def test_mapping_is_fast_enough_for_a_warm_process(mapper):
    import time

    text = "I use it as an assistant, sure, but I know it's just predicting tokens."
    mapper.map(text, "en")
    start = time.process_time()
    for _ in range(200):
        mapper.map(text, "en")
    assert time.process_time() - start < 1.0  # bench/mapping.py measures it properly


def test_russian_words_are_compared_by_their_dictionary_form():
    # "слоёв" and "слой" share no Snowball stem; pymorphy3 brings both to "слой".
    mapper = Mapper([Indicator(G + "ComponentView", "слой внимания", "ru")])
    assert readings(mapper, "модель из сорока слоёв внимания", "ru") == {("ComponentView", "affirms")}


@pytest.mark.parametrize("text, lang", [
    ("how it is trained? no idea", "en"),
    ("i have no idea how it is trained", "en"),
    ("как её учат — хз", "ru"),
])
def test_an_admission_of_ignorance_denies(text, lang):
    mapper = Mapper([Indicator(G + "OperationalUnderstanding", "how it is trained", "en"),
                     Indicator(G + "OperationalUnderstanding", "как её учат", "ru")])
    assert readings(mapper, text, lang) == {("OperationalUnderstanding", "denies")}


def test_ignorance_of_what_a_phrase_describes_is_not_the_authors():
    # "with no idea what they mean" is said of the model, not of the author's view.
    mapper = Mapper([Indicator(G + "ProbabilisticTokenView", "sequences of tokens", "en")])
    assert readings(mapper, "it glues sequences of tokens with no idea what they mean", "en") == {
        ("ProbabilisticTokenView", "affirms")}


@pytest.mark.parametrize("text, lang", [
    ("There is nobody in there.", "en"),
    ("Внутри никого нет.", "ru"),
])
def test_a_negative_pronoun_matches_and_denies(text, lang):
    mapper = Mapper([Indicator(G + "Anthropomorphism", "somebody in there", "en"),
                     Indicator(G + "Anthropomorphism", "кто внутри", "ru")])
    assert readings(mapper, text, lang) == {("Anthropomorphism", "denies")}


@pytest.mark.parametrize("text, lang, expected", [
    # a phrase in scare quotes is someone else's view: the author does not assert it
    ("People who still say 'it just predicts the next token' never used these models.", "en",
     {("ProbabilisticTokenView", "denies")}),
    ("Хватит повторять про «предсказание следующего токена».", "ru",
     {("ProbabilisticTokenView", "denies")}),
    # the same phrase unquoted is asserted
    ("It just predicts the next token.", "en", {("ProbabilisticTokenView", "affirms")}),
    # a quoted question is a topic, not a view
    ("The question is not how it works but «why attention exists».", "en",
     {("OntologicalUnderstanding", "affirms")}),
])
def test_a_quoted_phrase_is_mentioned_not_asserted(text, lang, expected):
    mapper = Mapper([Indicator(G + "ProbabilisticTokenView", "predicts the next token", "en"),
                     Indicator(G + "ProbabilisticTokenView", "предсказание следующего токена", "ru"),
                     Indicator(G + "OntologicalUnderstanding", "why attention exists", "en")])
    readings_found = mapper.map(text, lang)
    assert {(r.concept.rpartition("#")[2], r.stance) for r in readings_found} == expected
    for reading in readings_found:
        if reading.stance == "denies":
            assert reading.cue.startswith(("'", "«"))


def test_russian_word_order_is_free_for_a_two_word_phrase():
    mapper = Mapper([Indicator(G + "Anthropomorphism", "модель думает", "ru")])
    assert readings(mapper, "Думает ли модель? Думает модель, конечно.", "ru") == {
        ("Anthropomorphism", "affirms")}
