"""`grasp mine`: phrases proposed from labelled statements, and written into the ontology."""

import json
import shutil

import pytest
import rdflib
from typer.testing import CliRunner

from grasp.cli import app
from grasp.config import Settings
from grasp.evaluation import Statement
from grasp.mapping import Mapper
from grasp.mining import Proposal, apply_to_turtle, mine
from grasp.ontology import Indicator, load_ontology

G = "https://w3id.org/grasp/ontology#"
ANTHROPOMORPHISM = (G + "Anthropomorphism", "affirms")


def said(text, *expected, hand):
    return Statement(f"t-{hand}-{text[:12]}", "en", text, frozenset(expected), "train", "chat", hand)


@pytest.fixture
def ontology_file(tmp_path):
    """A copy of the shipped ontology, with a phrase that reads everyday text wrongly."""
    path = tmp_path / "grasp.ttl"
    shutil.copy(Settings().ontology_paths[0] / "grasp.ttl", path)
    apply_to_turtle(path, [Proposal(True, Indicator(G + "Anthropomorphism", "zorblat", "en"), False, 0)])
    return path


STATEMENTS = [
    # Two writers use "glorbnax" for a model with feelings; no phrase knows the word yet.
    said("honestly the bot is a glorbnax, it gets sad", ANTHROPOMORPHISM, hand="w1"),
    said("my chatbot went full glorbnax on me today", ANTHROPOMORPHISM, hand="w1"),
    said("it's a real glorbnax, it missed me", ANTHROPOMORPHISM, hand="w2"),
    # "zorblat" is an everyday word here, not a claim about the model.
    said("asked ChatGPT to fix the zorblat on my desk", hand="w1"),
    said("the model found me a cheap zorblat for the kitchen", hand="w2"),
    said("an LLM wrote my zorblat shopping list", hand="w2"),
    # Only one writer says "snerk": a habit, not the language.
    said("the model is snerk, it feels things", ANTHROPOMORPHISM, hand="w3"),
    said("snerk again: it loves me, I can tell", ANTHROPOMORPHISM, hand="w3"),
]


def test_the_miner_proposes_the_phrase_and_the_removal_the_statements_support(ontology_file):
    proposals = mine(load_ontology([ontology_file]), STATEMENTS)
    changes = {(p.add, p.indicator.phrase, p.denial) for p in proposals}
    assert (True, "glorbnax", False) in changes
    assert (False, "zorblat", False) in changes
    assert not any("snerk" in phrase for _, phrase, _ in changes)  # one writer only
    assert all(p.gain >= 2 for p in proposals)
    # Anthropomorphism is forbidden by a level, so each of its three labels counts twice.
    gain = next(p.gain for p in proposals if p.indicator.phrase == "glorbnax")
    assert gain >= 4 and gain % 2 == 0


def test_a_denial_phrase_needs_one_writer_more(ontology_file):
    # Two writers deny feelings with "flumbo"; a denial phrase needs three.
    denied = (G + "Anthropomorphism", "denies")
    two_hands = [said("the bot is flumbo, honestly", denied, hand="w1"),
                 said("flumbo model, as always", denied, hand="w1"),
                 said("it's flumbo, as I said", denied, hand="w2")]
    assert "flumbo" not in {p.indicator.phrase for p in mine(load_ontology([ontology_file]), two_hands)}
    three_hands = [*two_hands, said("pure flumbo, that chatbot", denied, hand="w3")]
    proposals = mine(load_ontology([ontology_file]), three_hands)
    assert (True, "flumbo", True) in {(p.add, p.indicator.phrase, p.denial) for p in proposals}


def test_proposals_written_into_the_ontology_change_the_mapping(ontology_file):
    proposals = mine(load_ontology([ontology_file]), STATEMENTS)
    apply_to_turtle(ontology_file, proposals)
    rdflib.Graph().parse(ontology_file)  # still Turtle
    mapper = Mapper.for_ontology(load_ontology([ontology_file]))
    assert {(r.concept, r.stance) for r in mapper.map("the bot is a glorbnax", "en")} == {ANTHROPOMORPHISM}
    assert mapper.map("the model ordered a zorblat", "en") == []


def test_removing_a_phrase_that_is_not_there_is_refused(ontology_file):
    missing = Proposal(False, Indicator(G + "Anthropomorphism", "never written", "en"), False, 3)
    with pytest.raises(ValueError, match="not a phrase"):
        apply_to_turtle(ontology_file, [missing])


def test_a_removal_takes_the_phrase_from_its_own_property_only(ontology_file):
    # One phrase, an indicator and a denial indicator of the same concept: removing the
    # denial leaves the indicator, and removing both leaves valid Turtle without either.
    phrase = Indicator(G + "Anthropomorphism", "blorptastic", "en")
    other = Indicator(G + "Anthropomorphism", "a blorp", "en")
    apply_to_turtle(ontology_file, [Proposal(True, phrase, True, 0), Proposal(True, other, False, 0),
                                    Proposal(True, phrase, False, 0)])
    apply_to_turtle(ontology_file, [Proposal(False, phrase, True, 0)])
    graph = rdflib.Graph().parse(ontology_file)
    literal = rdflib.Literal("blorptastic", lang="en")
    concept = rdflib.URIRef(G + "Anthropomorphism")
    assert (concept, rdflib.URIRef(G + "indicator"), literal) in graph
    assert (concept, rdflib.URIRef(G + "denialIndicator"), literal) not in graph
    with pytest.raises(ValueError, match="not a phrase"):
        apply_to_turtle(ontology_file, [Proposal(False, phrase, True, 0)])
    apply_to_turtle(ontology_file, [Proposal(False, phrase, False, 0)])
    assert (concept, None, literal) not in rdflib.Graph().parse(ontology_file)


def test_grasp_mine_prints_a_table_and_writes_with_write(ontology_file, tmp_path, monkeypatch):
    statements = tmp_path / "train.jsonl"
    statements.write_text("".join(json.dumps({
        "id": s.id, "lang": s.lang, "text": s.text, "split": s.split, "source": s.source,
        "hand": s.hand, "expected": [{"concept": c, "stance": st} for c, st in s.expected],
    }) + "\n" for s in STATEMENTS), encoding="utf-8")
    monkeypatch.setenv("GRASP_ONTOLOGY", str(ontology_file))
    result = CliRunner().invoke(app, ["mine", str(statements), "--write", str(ontology_file)])
    assert result.exit_code == 0, result.output
    assert '"glorbnax"@en' in result.output
    assert '"glorbnax"@en' in ontology_file.read_text(encoding="utf-8")
    assert '"zorblat"@en' not in ontology_file.read_text(encoding="utf-8")


def test_a_phrase_that_breaks_a_seed_statement_is_never_proposed(ontology_file):
    # The seed's statements are the specification: "glorbnax" helps three statements, but
    # a seed statement uses the word with no claim, so it is not proposed.
    seed = Statement("s-seed", "en", "the model named its glorbnax project", frozenset(), "dev", "seed")
    proposals = mine(load_ontology([ontology_file]), [*STATEMENTS, seed])
    assert "glorbnax" not in {p.indicator.phrase for p in proposals}
