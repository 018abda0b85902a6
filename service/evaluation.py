"""Measure the mapper against the evaluation set: statements, then persons' levels.

The set lives in ``eval/`` (see ``eval/README.md``): ``statements.jsonl`` labels each
statement with the (concept, stance) pairs it carries; ``persons.jsonl`` bundles statements
and gives the status every level should get. Two things are measured, per language:

- **mapping**: precision, recall and F1 per concept, micro and macro F1, and a confusion
  table, comparing the mapper's readings with the labels;
- **levels**: the real pipeline (:class:`grasp.assessment.Assessor` over the loaded
  ontology) assesses each person, and each level's status is compared with the label.

Labels name only the most specific concept (see ``eval/README.md``). A reading the labels
entail (affirming a superclass of an affirmed concept, or the concept a denial supports
through ``grasp:denialSupports``) is therefore neither a hit nor a false alarm: it adds no
evidence the labels do not already give.

The figures of the mapper the project started with (``bench/baseline_mapper.py``) are
measured in the same run, so the two can be compared side by side.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from grasp.config import PROJECT_ROOT, Settings
from grasp.namespaces import GRASP, compact, expand
from grasp.ontology import LANGUAGES

EVAL_FOLDER = PROJECT_ROOT / "eval"
BASELINE_MAPPER = PROJECT_ROOT / "bench" / "baseline_mapper.py"
BASELINE_ONTOLOGY = PROJECT_ROOT / "bench" / "baseline" / "grasp.ttl"
SPLITS = ("dev", "heldout", "train", "all")

#: Floors `grasp eval` enforces on every language of the chosen split: the targets the
#: heldout split meets (see eval/README.md), so a change that falls below them fails CI.
MIN_MICRO_F1 = 0.85
MIN_LEVEL_AGREEMENT = 0.90

NONE = "∅"  # a missing label or a missing reading, in the confusion table

Pair = tuple[str, str]  # (concept IRI, stance)


@dataclass(frozen=True)
class Statement:
    """One labelled statement of the evaluation set."""

    id: str
    lang: str
    text: str
    expected: frozenset[Pair]
    split: str
    source: str
    hand: str = ""  # who wrote it, where known (the training statements say)


@dataclass(frozen=True)
class Person:
    """A bundle of statements and the status each level should get."""

    id: str
    lang: str
    split: str
    statements: tuple[str, ...]
    expected_levels: Mapping[str, str]
    expected_highest: str | None


@dataclass
class Scores:
    """Counts of hits, false alarms and misses, with the figures derived from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Share of readings that are right (1.0 when there are none)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of labels that were found (1.0 when there are none)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall.

        >>> round(Scores(tp=8, fp=2, fn=2).f1, 2)
        0.8
        """
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 1.0

    def to_json(self) -> dict:
        """Return the counts and figures as a dict."""
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class MappingResult:
    """How one mapper did on the statements of one language."""

    statements: int = 0
    per_concept: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))
    micro: Scores = field(default_factory=Scores)
    confusion: Counter = field(default_factory=Counter)  # (expected, predicted) -> count
    errors: list[dict] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the concepts that were labelled or read."""
        scores = list(self.per_concept.values())
        return sum(s.f1 for s in scores) / len(scores) if scores else 1.0


@dataclass
class LevelResult:
    """How the levels of one language's persons agreed with their labels."""

    persons: int = 0
    levels: int = 0
    agreeing_levels: int = 0
    agreeing_persons: int = 0
    agreeing_highest: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        """Share of (person, level) statuses equal to their label."""
        return self.agreeing_levels / self.levels if self.levels else 1.0


@dataclass
class Report:
    """The figures of one mapper on one split, per language."""

    mapper: str
    split: str
    mapping: dict[str, MappingResult]
    levels: dict[str, LevelResult]

    def to_json(self) -> dict:
        """Return the report as plain JSON (figures rounded to four places)."""
        return {
            "mapper": self.mapper,
            "split": self.split,
            "languages": {
                lang: {
                    "statements": self.mapping[lang].statements,
                    "microF1": round(self.mapping[lang].micro.f1, 4),
                    "macroF1": round(self.mapping[lang].macro_f1, 4),
                    "micro": self.mapping[lang].micro.to_json(),
                    "perConcept": {compact(c): s.to_json()
                                   for c, s in sorted(self.mapping[lang].per_concept.items())},
                    "confusion": [
                        {"expected": _short(e), "predicted": _short(p), "count": n}
                        for (e, p), n in sorted(self.mapping[lang].confusion.items(),
                                                key=lambda item: (-item[1], str(item[0])))
                    ],
                    "persons": self.levels[lang].persons,
                    "levelAgreement": round(self.levels[lang].agreement, 4),
                    "personsAgreeing": self.levels[lang].agreeing_persons,
                    "highestAgreeing": self.levels[lang].agreeing_highest,
                }
                for lang in self.mapping
            },
        }


# --- reading the set --------------------------------------------------------------------


def load_statements(path: Path) -> list[Statement]:
    """Read ``statements.jsonl``."""
    statements = []
    for row in _json_lines(path):
        expected = frozenset((expand(e["concept"]), e["stance"]) for e in row["expected"])
        statements.append(Statement(row["id"], row["lang"], row["text"], expected,
                                    row["split"], row.get("source", ""), row.get("hand", "")))
    return statements


def tuning_statements(paths: Iterable[Path]) -> list[Statement]:
    """The statements of ``paths`` that may tune the mapper: every split but heldout."""
    return [s for path in paths for s in load_statements(path) if s.split != "heldout"]


def load_persons(path: Path) -> list[Person]:
    """Read ``persons.jsonl``; an absent file gives no persons."""
    if not path.exists():
        return []
    return [
        Person(row["id"], row["lang"], row["split"], tuple(row["statements"]),
               {expand(k): v for k, v in row["expected_levels"].items()},
               expand(row["expected_highest"]) if row.get("expected_highest") else None)
        for row in _json_lines(path)
    ]


def _json_lines(path: Path) -> Iterable[dict]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def in_split(items: Iterable, split: str) -> list:
    """Keep the statements or persons of ``split`` (``all`` keeps everything)."""
    return [item for item in items if split == "all" or item.split == split]


# --- measuring ---------------------------------------------------------------------------


def entailed(expected: Iterable[Pair], ancestors: Mapping[str, frozenset[str]],
             denial_supports: Mapping[str, frozenset[str]]) -> set[Pair]:
    """Return the readings the labels entail but do not list (see the module docstring)."""
    implied: set[Pair] = set()
    for concept, stance in expected:
        if stance == "affirms":
            implied |= {(ancestor, "affirms") for ancestor in ancestors.get(concept, ())}
        else:
            for supported in denial_supports.get(concept, ()):
                implied |= {(supported, "affirms")}
                implied |= {(a, "affirms") for a in ancestors.get(supported, ())}
    return implied - set(expected)


def measure_mapping(map_text: Callable[[str, str], Iterable[Pair]],
                    statements: Sequence[Statement],
                    ancestors: Mapping[str, frozenset[str]],
                    denial_supports: Mapping[str, frozenset[str]]) -> MappingResult:
    """Compare what ``map_text(text, lang)`` reads with the labels of ``statements``."""
    result = MappingResult()
    for statement in statements:
        result.statements += 1
        expected = set(statement.expected)
        predicted = set(map_text(statement.text, statement.lang))
        predicted -= entailed(expected, ancestors, denial_supports)
        hits, missed, spurious = expected & predicted, expected - predicted, predicted - expected
        for concept, _ in hits:
            result.per_concept[concept].tp += 1
        for concept, _ in spurious:
            result.per_concept[concept].fp += 1
        for concept, _ in missed:
            result.per_concept[concept].fn += 1
        result.micro.tp += len(hits)
        result.micro.fp += len(spurious)
        result.micro.fn += len(missed)
        for pair in hits:
            result.confusion[(pair, pair)] += 1
        # A miss and a false alarm in one statement are most likely one confusion: pair them.
        for pair in missed:
            for wrong in spurious or [None]:
                result.confusion[(pair, wrong)] += 1
        if not missed:
            for wrong in spurious:
                result.confusion[(None, wrong)] += 1
        if missed or spurious:
            result.errors.append({"id": statement.id, "text": statement.text,
                                  "missed": sorted(map(_short, missed)),
                                  "spurious": sorted(map(_short, spurious))})
    return result


def measure_levels(assessor, persons: Sequence[Person],
                   statements: Mapping[str, Statement]) -> LevelResult:
    """Assess every person with ``assessor`` and compare level statuses with the labels."""
    from grasp.claims import AssessRequest, ClaimIn, from_json

    result = LevelResult()
    base_iri = Settings().base_iri
    for person in persons:
        claims = [ClaimIn(text=statements[s].text, lang=statements[s].lang)
                  for s in person.statements]
        request = AssessRequest(subject=f"eval-{person.id}", claims=claims)
        assessment = assessor.assess(from_json(request, base_iri=base_iri))
        got = {level.level: level.status for level in assessment.levels}
        result.persons += 1
        wrong = {}
        for level, status in person.expected_levels.items():
            result.levels += 1
            if got.get(level) == status:
                result.agreeing_levels += 1
            else:
                wrong[compact(level)] = {"expected": status, "got": got.get(level)}
        result.agreeing_persons += not wrong
        result.agreeing_highest += assessment.level == person.expected_highest
        if wrong:
            result.errors.append({"id": person.id, "levels": wrong})
    return result


def evaluate(mapper, assessor, statements: Sequence[Statement], persons: Sequence[Person],
             *, name: str, split: str) -> Report:
    """Measure one mapper (and the assessor that uses it) on one split, per language."""
    ontology = assessor.ontology
    denials = denial_supports(ontology)
    by_id = {s.id: s for s in statements}

    def map_text(text: str, lang: str) -> list[Pair]:
        return [(r.concept, r.stance) for r in mapper.map(text, lang)]

    mapping, levels = {}, {}
    for lang in LANGUAGES:
        chosen = [s for s in in_split(statements, split) if s.lang == lang]
        mapping[lang] = measure_mapping(map_text, chosen, ontology.ancestors, denials)
        people = [p for p in in_split(persons, split) if p.lang == lang]
        levels[lang] = measure_levels(assessor, people, by_id)
    return Report(name, split, mapping, levels)


def denial_supports(ontology) -> dict[str, frozenset[str]]:
    """Return, per concept, the concepts its denial supports (``grasp:denialSupports``)."""
    found: dict[str, set[str]] = defaultdict(set)
    for triple in ontology.triples:
        if triple.predicate.value == GRASP + "denialSupports":
            found[triple.subject.value].add(triple.object.value)
    return {concept: frozenset(values) for concept, values in found.items()}


def load_baseline_mapper():
    """Return the class of the mapper the project started with, or None if it is absent."""
    if not BASELINE_MAPPER.exists():
        return None
    spec = importlib.util.spec_from_file_location("grasp_baseline_mapper", BASELINE_MAPPER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module.Mapper


def run(statements_path: Path, split: str, *, baseline: bool = True,
        ontology=None) -> list[Report]:
    """Measure the current mapper on ``split`` of the set, and with ``baseline`` the original.

    The original is measured twice: with the phrases it shipped with
    (``bench/baseline/grasp.ttl``), which is the figure to compare with, and with today's
    phrases, which tells the engine's share of the gain from the phrases' share.
    """
    from grasp.assessment import Assessor
    from grasp.ontology import load_ontology
    from grasp.reader import LearnedMapper, mapper_for

    ontology = ontology or load_ontology(Settings().ontology_paths)
    statements = load_statements(statements_path)
    persons = load_persons(statements_path.with_name("persons.jsonl"))
    shipped = mapper_for(ontology)  # loads the reader's weights once
    runs = [("grasp", lambda _: shipped, ontology)]
    if isinstance(shipped, LearnedMapper):
        runs.append(("grasp phrases only", lambda _: shipped.mapper, ontology))
    baseline_class = load_baseline_mapper() if baseline else None
    if baseline_class is not None:
        if BASELINE_ONTOLOGY.exists():
            runs.append(("baseline", baseline_class.for_ontology, load_ontology([BASELINE_ONTOLOGY])))
        runs.append(("baseline engine, new phrases", baseline_class.for_ontology, ontology))
    reports = []
    for name, make_mapper, used in runs:
        assessor = Assessor(used, learned_reader=False)
        # The assessor maps texts with its own mapper; give it the one being measured.
        assessor.mapper = make_mapper(used)
        reports.append(evaluate(assessor.mapper, assessor, statements, persons,
                                name=name, split=split))
    return reports


# --- printing ----------------------------------------------------------------------------


def summary_table(reports: Sequence[Report]) -> str:
    """Return the headline figures of each report as one Markdown table."""
    head = ("| mapper | split | lang | statements | micro P | micro R | micro F1 | macro F1 "
            "| persons | level agreement | persons exact | highest level |")
    rows = [head, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for report in reports:
        for lang, mapping in report.mapping.items():
            levels = report.levels[lang]
            rows.append(
                f"| {report.mapper} | {report.split} | {lang} | {mapping.statements} "
                f"| {mapping.micro.precision:.3f} | {mapping.micro.recall:.3f} "
                f"| {mapping.micro.f1:.3f} | {mapping.macro_f1:.3f} | {levels.persons} "
                + (f"| {levels.agreement:.1%} | {levels.agreeing_persons}/{levels.persons} "
                   f"| {levels.agreeing_highest}/{levels.persons} |" if levels.persons
                   else f"| {NONE} | {NONE} | {NONE} |"))  # no persons, nothing to agree on
    return "\n".join(rows)


def concept_table(report: Report) -> str:
    """Return precision, recall and F1 per concept, one column group per language."""
    langs = list(report.mapping)
    concepts = sorted({c for m in report.mapping.values() for c in m.per_concept})
    head = "| concept | " + " | ".join(f"{lang} P | {lang} R | {lang} F1 | {lang} n"
                                        for lang in langs) + " |"
    rows = [head, "|---|" + "---:|" * (4 * len(langs))]
    for concept in concepts:
        cells = []
        for lang in langs:
            s = report.mapping[lang].per_concept.get(concept)
            cells.append("| | | | 0" if s is None else
                         f"{s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} | {s.tp + s.fn}")
        rows.append(f"| {compact(concept)} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def confusion_table(report: Report, lang: str, *, limit: int = 20) -> str:
    """Return the confusions (expected ≠ predicted) of one language, most frequent first."""
    confusion = report.mapping[lang].confusion
    wrong = [(pair, n) for pair, n in confusion.items() if pair[0] != pair[1]]
    wrong.sort(key=lambda item: (-item[1], str(item[0])))
    rows = ["| expected | read as | count |", "|---|---|---:|"]
    rows += [f"| {_short(e)} | {_short(p)} | {n} |" for (e, p), n in wrong[:limit]]
    if len(wrong) > limit:
        rows.append(f"| … {len(wrong) - limit} more | | |")
    return "\n".join(rows)


def _short(pair: Pair | None) -> str:
    if pair is None:
        return NONE
    concept, stance = pair
    return f"{concept.removeprefix(GRASP)} {'+' if stance == 'affirms' else '−'}"


def below_floors(report: Report, *, min_micro_f1: float, min_level_agreement: float) -> list[str]:
    """Return what falls below the floors, language by language (empty when all pass)."""
    failures = []
    for lang, mapping in report.mapping.items():
        if mapping.statements and mapping.micro.f1 < min_micro_f1:
            failures.append(f"{lang}: micro F1 {mapping.micro.f1:.3f} < {min_micro_f1}")
        levels = report.levels[lang]
        if levels.persons and levels.agreement < min_level_agreement:
            failures.append(f"{lang}: level agreement {levels.agreement:.3f} < {min_level_agreement}")
    return failures


# --- the command -------------------------------------------------------------------------


def eval_command(
    file: Annotated[Path | None, typer.Argument(
        help="Statements file (JSON Lines); persons.jsonl beside it. Default: eval/statements.jsonl."
    )] = None,
    split: Annotated[str, typer.Option("--split", help="dev, heldout, train or all.")] = "heldout",
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    min_micro_f1: Annotated[float, typer.Option(
        "--min-micro-f1", help="Exit 1 when a language's micro F1 is lower.")] = MIN_MICRO_F1,
    min_level_agreement: Annotated[float, typer.Option(
        "--min-level-agreement", help="Exit 1 when a language's level agreement is lower.")
    ] = MIN_LEVEL_AGREEMENT,
    baseline: Annotated[bool, typer.Option(
        "--baseline/--no-baseline", help="Also measure the original mapper.")] = True,
    errors: Annotated[bool, typer.Option(
        "--errors", help="List the statements read wrongly (not on heldout).")] = False,
) -> None:
    """Measure the mapper and the level verdicts against the evaluation set."""
    if split not in SPLITS:
        raise typer.BadParameter(f"choose one of {', '.join(SPLITS)}", param_hint="--split")
    reports = run(file or EVAL_FOLDER / "statements.jsonl", split, baseline=baseline)
    current = reports[0]
    failures = below_floors(current, min_micro_f1=min_micro_f1,
                            min_level_agreement=min_level_agreement)
    if as_json:
        typer.echo(json.dumps({"reports": [r.to_json() for r in reports],
                               "floors": {"microF1": min_micro_f1,
                                          "levelAgreement": min_level_agreement},
                               "failures": failures}, ensure_ascii=False, indent=2))
    else:
        typer.echo(summary_table(reports))
        typer.echo(f"\nPer concept ({current.mapper}, {split}):\n")
        typer.echo(concept_table(current))
        for lang in current.mapping:
            typer.echo(f"\nConfusions ({current.mapper}, {split}, {lang}):\n")
            typer.echo(confusion_table(current, lang))
        if errors:
            _print_errors(current)
        for failure in failures:
            typer.echo(f"below the floor: {failure}", err=True)
    if failures:
        raise typer.Exit(1)


def _print_errors(report: Report) -> None:
    # Heldout texts must not be read while tuning (eval/README.md), so they never print.
    if report.split not in ("dev", "train"):
        typer.echo("\n(--errors lists statements of the dev and train splits only)", err=True)
        return
    for lang, mapping in report.mapping.items():
        typer.echo(f"\nErrors ({lang}):")
        for error in mapping.errors:
            typer.echo(f"  {error['id']}: missed {error['missed']} spurious {error['spurious']}"
                       f"\n      {error['text']}")
        for error in report.levels[lang].errors:
            typer.echo(f"  {error['id']}: {error['levels']}")


if __name__ == "__main__":  # pragma: no cover
    typer.run(eval_command)
    sys.exit(0)
