"""`grasp eval`: figures per concept and per language, level agreement, floors for CI."""

import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from grasp.claims import AssessRequest, from_json
from grasp.config import Settings
from grasp.evaluation import (
    EVAL_FOLDER,
    MIN_LEVEL_AGREEMENT,
    MIN_MICRO_F1,
    Scores,
    Statement,
    below_floors,
    entailed,
    eval_command,
    load_persons,
    load_statements,
    measure_mapping,
    run,
)

G = "https://w3id.org/grasp/ontology#"


def statement(text, *expected, lang="en"):
    return Statement("s", lang, text, frozenset(expected), "dev", "test")


def test_scores():
    scores = Scores(tp=3, fp=1, fn=2)
    assert (scores.precision, scores.recall) == (0.75, 0.6)
    assert Scores().f1 == 1.0  # nothing expected, nothing read: nothing wrong


def test_readings_the_labels_entail_are_neither_hits_nor_false_alarms():
    ancestors = {G + "ComponentView": frozenset({G + "OperationalUnderstanding"})}
    supports = {G + "Anthropomorphism": frozenset({G + "ModelBehaviourDistinction"})}
    labels = {(G + "ComponentView", "affirms"), (G + "Anthropomorphism", "denies")}
    assert entailed(labels, ancestors, supports) == {
        (G + "OperationalUnderstanding", "affirms"), (G + "ModelBehaviourDistinction", "affirms")}


def test_measure_mapping_counts_hits_misses_and_confusions():
    statements = [
        statement("a", (G + "A", "affirms")),
        statement("b", (G + "B", "affirms")),
        statement("c"),
    ]
    read = {"a": [(G + "A", "affirms")], "b": [(G + "C", "affirms")], "c": [(G + "A", "denies")]}
    result = measure_mapping(lambda text, lang: read[text], statements, {}, {})
    assert (result.micro.tp, result.micro.fp, result.micro.fn) == (1, 2, 1)
    assert result.confusion[((G + "B", "affirms"), (G + "C", "affirms"))] == 1
    assert result.confusion[(None, (G + "A", "denies"))] == 1
    assert result.per_concept[G + "A"].fp == 1 and result.per_concept[G + "A"].tp == 1


def test_the_set_is_as_the_readme_says():
    statements = load_statements(EVAL_FOLDER / "statements.jsonl")
    persons = load_persons(EVAL_FOLDER / "persons.jsonl")
    assert len(statements) >= 250 and len(persons) >= 30
    assert sum(s.lang == "ru" for s in statements) / len(statements) >= 0.4
    ids = {s.id: s for s in statements}
    for person in persons:
        assert all(ids[s].split == person.split and ids[s].lang == person.lang
                   for s in person.statements)


def test_training_statements_name_their_writer_and_repeat_no_evaluation_statement():
    # The phrases are mined from train.jsonl: a heldout text in it would leak into the mapper.
    training = load_statements(EVAL_FOLDER / "train.jsonl")
    assert len(training) >= 5000 and {s.split for s in training} == {"train"}
    assert all(s.hand for s in training) and len({s.hand for s in training}) >= 20
    def words(text):
        return " ".join(re.findall(r"\w+", text.lower()))
    evaluated = {words(s.text) for s in load_statements(EVAL_FOLDER / "statements.jsonl")}
    assert not {words(s.text) for s in training} & evaluated


def test_each_persons_expected_levels_follow_from_the_labels_by_the_rules(assessor):
    # The persons' verdicts are not set by hand: assessing their labels as explicit claims
    # with the ontology's rules gives exactly the expected levels.
    statements = {s.id: s for s in load_statements(EVAL_FOLDER / "statements.jsonl")}
    for person in load_persons(EVAL_FOLDER / "persons.jsonl"):
        claims = [{"concept": concept, "stance": stance}
                  for sid in person.statements for concept, stance in statements[sid].expected]
        if not claims:  # nothing claimed: every level unmet
            assert set(person.expected_levels.values()) == {"unmet"}, person.id
            continue
        request = AssessRequest(subject=person.id, claims=claims)
        assessment = assessor.assess(from_json(request, base_iri=Settings().base_iri))
        assert {level.level: level.status for level in assessment.levels} == dict(
            person.expected_levels), person.id
        assert assessment.level == person.expected_highest, person.id


@pytest.fixture(scope="module")
def heldout(ontology):
    return run(EVAL_FOLDER / "statements.jsonl", "heldout", ontology=ontology)


def test_heldout_stays_above_the_floors_in_each_language(heldout):
    current = heldout[0]
    assert set(current.mapping) == {"en", "ru"}
    assert below_floors(current, min_micro_f1=MIN_MICRO_F1,
                        min_level_agreement=MIN_LEVEL_AGREEMENT) == []


def test_the_mapper_beats_the_baseline_measured_in_the_same_run(heldout):
    current, baseline = heldout[0], next(r for r in heldout if r.mapper == "baseline")
    for lang in ("en", "ru"):
        assert current.mapping[lang].micro.f1 > baseline.mapping[lang].micro.f1
        assert current.levels[lang].agreement >= baseline.levels[lang].agreement


def eval_app() -> typer.Typer:
    app = typer.Typer()
    app.command("eval")(eval_command)
    app.command("noop")(lambda: None)  # two commands, so "eval" is a subcommand as in grasp
    return app


def test_eval_json_for_ci_and_exit_1_below_a_floor():
    result = CliRunner().invoke(eval_app(), ["eval", "--split", "dev", "--json", "--no-baseline",
                                             "--min-micro-f1", "1.01"])
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert answer["failures"] and answer["reports"][0]["split"] == "dev"
    assert set(answer["reports"][0]["languages"]) == {"en", "ru"}


def test_eval_table_passes_with_the_default_floors(tmp_path: Path):
    result = CliRunner().invoke(eval_app(), ["eval", "--split", "dev"])
    assert result.exit_code == 0, result.output
    assert "| grasp | dev | en |" in result.stdout and "| baseline | dev | ru |" in result.stdout
    assert "Confusions" in result.stdout


def test_eval_of_the_training_split_has_no_persons_to_agree_on():
    result = CliRunner().invoke(eval_app(), ["eval", str(EVAL_FOLDER / "train.jsonl"),
                                             "--split", "train", "--no-baseline"])
    assert result.exit_code == 0, result.output
    assert "| grasp | train | ru | " in result.stdout
    assert "| 0 | ∅ | ∅ | ∅ |" in result.stdout
