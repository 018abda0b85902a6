"""The learned reader: weights trained on labelled statements, over the phrase mapper."""

import json
import shutil

import pytest

from grasp.assessment import Assessor
from grasp.config import Settings
from grasp.evaluation import Statement
from grasp.mapping import Mapper
from grasp.ontology import load_ontology
from grasp.reader import READER_FILE, LearnedMapper, mapper_for, train

G = "https://w3id.org/grasp/ontology#"
FEELS = (G + "Anthropomorphism", "affirms")
TOKENS = (G + "ProbabilisticTokenView", "affirms")


def said(text, *expected):
    return Statement(f"t-{text[:16]}", "en", text, frozenset(expected), "train", "chat", "w1")


STATEMENTS = [
    said("honestly the bot is glorbnax, you can tell", FEELS),
    said("my chatbot went full glorbnax today", FEELS),
    said("it is so glorbnax when I log off", FEELS),
    said("glorbnax again, that model", FEELS),
    said("the model is a tokenmill and nothing else", TOKENS),
    said("pure tokenmill, the whole thing", TOKENS),
    said("a tokenmill with good manners", TOKENS),
    said("asked the model for a soup recipe"),
    said("the bot wrote my cover letter"),
    said("it translated the menu for me"),
]


@pytest.fixture(scope="module")
def reader(ontology):
    return LearnedMapper(Mapper.for_ontology(ontology), train(ontology, STATEMENTS))


def test_words_no_phrase_knows_are_learned_and_explained(reader):
    text = "the bot is glorbnax"
    [reading] = reader.map(text, "en")
    assert (reading.concept, reading.stance) == FEELS
    assert reading.indicator.startswith("learned: ") and "glorbnax" in reading.indicator
    assert text[reading.start:reading.end].startswith("glorbnax")
    assert 0.5 <= reading.confidence <= 1
    assert reader.map("asked the model for a pasta recipe", "en") == []


@pytest.mark.parametrize("text, lang", [
    ("the bot is glorbnax", "de"),  # a language the mapper has no stemmer for
    ("def feel(bot): return glorbnax", "en"),  # code is not a claim
])
def test_what_the_phrase_mapper_does_not_read_the_reader_does_not_either(reader, text, lang):
    assert reader.map(text, lang) == []


def test_the_two_stances_of_a_concept_compete_so_a_statement_reads_one(ontology):
    # Weights as train() writes them: each stance's weight against "neither". The word
    # speaks for both stances, for affirming more: one softmax gives affirming alone.
    denied = (FEELS[0], "denies")
    model = {"labels": [list(FEELS), list(denied)], "bias": [0.0, 0.0],
             "weights": {"en:glorbnax": [[0, 3.0], [1, 2.0]]}}
    reader = LearnedMapper(Mapper.for_ontology(ontology), model)
    [reading] = reader.map("the bot is glorbnax", "en")
    assert (reading.concept, reading.stance) == FEELS and reading.confidence == 0.71
    model["weights"]["en:glorbnax"] = [[0, 2.0], [1, 2.0]]  # a tie: neither stance wins
    assert LearnedMapper(Mapper.for_ontology(ontology), model).map("the bot is glorbnax", "en") == []


def test_a_concept_the_weights_never_learned_is_read_by_its_phrases(ontology):
    # The weights know only FEELS and TOKENS; a phrase of another concept still reads.
    reader = LearnedMapper(Mapper.for_ontology(ontology), train(ontology, STATEMENTS))
    found = {(r.concept, r.stance) for r in reader.map("I read arXiv papers every week.", "en")}
    assert (G + "FormalKnowledge", "affirms") in found


def test_the_weights_beside_the_ontology_are_used_unless_turned_off(ontology, tmp_path):
    folder = tmp_path / "ontology"
    folder.mkdir()
    shutil.copy(Settings().ontology_paths[0] / "grasp.ttl", folder / "grasp.ttl")
    copied = load_ontology([folder])
    assert type(mapper_for(copied)) is Mapper  # no weights: phrases only
    (folder / READER_FILE).write_text(json.dumps(train(ontology, STATEMENTS)), encoding="utf-8")
    assert isinstance(mapper_for(copied), LearnedMapper)
    assert type(mapper_for(copied, learned=False)) is Mapper
    assert type(Assessor(copied, learned_reader=False).mapper) is Mapper


def test_the_shipped_assessor_reads_with_the_shipped_weights(assessor):
    assert isinstance(assessor.mapper, LearnedMapper)


def test_grasp_train_reader_writes_the_weights(tmp_path):
    from typer.testing import CliRunner

    from grasp.cli import app

    statements = tmp_path / "train.jsonl"
    statements.write_text("".join(json.dumps({
        "id": s.id, "lang": s.lang, "text": s.text, "split": s.split, "source": s.source,
        "hand": s.hand, "expected": [{"concept": c, "stance": st} for c, st in s.expected],
    }) + "\n" for s in STATEMENTS), encoding="utf-8")
    out = tmp_path / "reader.json"
    result = CliRunner().invoke(app, ["train-reader", str(statements), "--out", str(out)])
    assert result.exit_code == 0, result.output
    model = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(map(tuple, model["labels"])) == sorted([FEELS, TOKENS])
    assert any(feature.endswith("glorbnax") for feature in model["weights"])
