"""Load the ontology: files → checked graph → the facts Grasp reads from it.

An :class:`Ontology` is immutable. It is built once per load (at start-up and on reload) and
holds everything a request needs from the ontology, so no request parses or reasons.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
import rdflib

from grasp.namespaces import ONTOLOGY_IRI
from grasp.queries import query
from grasp.reasoning import Reasoner, ReasoningError, reason
from grasp.sources import OntologyLoadError, locate, read_ontology
from grasp.validation import ValidationReport, validate_ontology_rules

#: The named graph that holds the ontology, as its files state it, in every store.
ONTOLOGY_GRAPH = ox.NamedNode(ONTOLOGY_IRI)
#: The named graph that holds the class hierarchy the reasoner inferred from it.
INFERRED_GRAPH = ox.NamedNode(ONTOLOGY_IRI + "/inferred")
#: The rule queries read both as their default graph.
RULE_GRAPHS = [ONTOLOGY_GRAPH, INFERRED_GRAPH]

log = logging.getLogger("grasp")

#: The languages Grasp labels, maps and explains in.
LANGUAGES = ("en", "ru")


class OntologyError(Exception):
    """The ontology could not be loaded, or breaks its rules; ``report`` says why."""

    def __init__(self, message: str, report: ValidationReport | None = None) -> None:
        super().__init__(message if report is None else f"{message}\n{report.text()}")
        self.report = report


@dataclass(frozen=True)
class Indicator:
    """A phrase in one language that signals a concept in free text."""

    concept: str
    phrase: str
    lang: str


@dataclass(frozen=True)
class Rule:
    """One requirement (or, with ``prohibition``, one prohibition) of a level."""

    concept: str
    prohibition: bool


@dataclass(frozen=True)
class Level:
    """A level of the scale as the ontology states it: rank, own rules, the levels it builds on."""

    iri: str
    rank: int
    rules: tuple[Rule, ...]
    builds_on: tuple[str, ...]


@dataclass(frozen=True)
class Ontology:
    """The loaded ontology and the facts read from it once."""

    sources: tuple[Path, ...]
    triples: tuple[ox.Triple, ...] = field(repr=False)
    inferred: tuple[ox.Triple, ...] = field(repr=False)
    version: str
    labels: Mapping[str, Mapping[str, str]] = field(repr=False)
    definitions: Mapping[str, Mapping[str, str]] = field(repr=False)
    statements: Mapping[str, Mapping[str, str]] = field(repr=False)
    concepts: Mapping[str, tuple[str, ...]] = field(repr=False)
    ancestors: Mapping[str, frozenset[str]] = field(repr=False)
    indicators: tuple[Indicator, ...] = field(repr=False)
    levels: tuple[Level, ...] = field(repr=False)

    def label(self, iri: str, lang: str = "en") -> str:
        """Return the label of ``iri`` in ``lang``, else in English, else its local name."""
        return _in_language(self.labels.get(iri, {}), lang) or iri.rpartition("#")[2] or iri

    def definition(self, iri: str, lang: str = "en") -> str | None:
        """Return the definition of ``iri`` in ``lang``, else in English, else None."""
        return _in_language(self.definitions.get(iri, {}), lang)

    def statement(self, level: str, lang: str = "en") -> str | None:
        """Return a level's characteristic statement in ``lang``, else in English, else None."""
        return _in_language(self.statements.get(level, {}), lang)

    def is_concept(self, iri: str) -> bool:
        """Say whether ``iri`` is a concept a claim can affirm or deny."""
        return iri in self.concepts

    @cached_property
    def quads(self) -> tuple[ox.Quad, ...]:
        """The ontology's triples in the ontology graph, the inferred ones in theirs."""
        return tuple(
            ox.Quad(t.subject, t.predicate, t.object, graph)
            for graph, triples in ((ONTOLOGY_GRAPH, self.triples), (INFERRED_GRAPH, self.inferred))
            for t in triples
        )


def load_ontology(paths: Sequence[Path], *, reasoner: Reasoner = "none") -> Ontology:
    """Read, reason over, check and index the ontology files ``paths`` (files or folders).

    ``reasoner`` materialises the inferred class hierarchy once, here, so that a claim for a
    concept an engineer declared under (or equivalent to) a core one counts for the core
    one. Raises :class:`OntologyError` with a report when the files cannot be read, the
    ontology is inconsistent or has unsatisfiable classes, or its level rules are broken.
    """
    try:
        graph = read_ontology(paths)
    except OntologyLoadError as error:
        raise OntologyError(str(error)) from None
    hierarchy = _infer_hierarchy(graph, reasoner)
    report = validate_ontology_rules(graph + hierarchy)
    if not report.conforms:
        raise OntologyError("The ontology breaks its level rules:", report)
    triples = tuple(_to_oxigraph(graph))
    stated = set(triples)
    inferred = tuple(t for t in _to_oxigraph(hierarchy) if t not in stated)
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH) for t in triples)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, INFERRED_GRAPH) for t in inferred)
    labels, definitions, statements = _texts(store)
    concepts = _concepts(store)
    return Ontology(
        sources=tuple(locate(Path(path)) for path in paths),
        triples=triples,
        inferred=inferred,
        version=_version(store),
        labels=labels,
        definitions=definitions,
        statements=statements,
        concepts=concepts,
        ancestors={concept: _ancestors(concept, concepts) for concept in concepts},
        indicators=_indicators(store),
        levels=_levels(store),
    )


def run(store: ox.Store, name: str, **bindings: ox.NamedNode | ox.Literal) -> ox.QuerySolutions:
    """Run the named query with the ontology graphs as the default graph."""
    return store.query(
        query(name),
        default_graph=RULE_GRAPHS,
        substitutions={ox.Variable(k): v for k, v in bindings.items()},
    )


def _infer_hierarchy(graph: rdflib.Graph, reasoner: Reasoner) -> rdflib.Graph:
    try:
        reasoned = reason(graph, reasoner=reasoner)
    except ReasoningError as error:
        # No Java, say: the stated hierarchy still counts, transitively.
        log.warning("reasoner %s unavailable (%s); using the stated class hierarchy", reasoner, error)
        reasoned = reason(graph, reasoner="none")
    if not reasoned.consistent:
        raise OntologyError("The ontology is inconsistent: run `grasp check` to see why.")
    if reasoned.unsatisfiable:
        names = ", ".join(sorted(str(iri) for iri in reasoned.unsatisfiable))
        raise OntologyError(f"These classes are unsatisfiable (no claim could affirm them): {names}")
    return reasoned.hierarchy


def _to_oxigraph(graph: rdflib.Graph) -> list[ox.Triple]:
    # N-Triples is the one format both libraries read and write exactly alike.
    data = graph.serialize(format="nt", encoding="utf-8")
    return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))


def _version(store: ox.Store) -> str:
    for row in run(store, "ontology-version"):
        if row["ontology"].value == ONTOLOGY_IRI or row["versionIri"] is not None:
            version = row["versionIri"] or row["versionInfo"] or row["ontology"]
            return version.value
    return "unversioned"


def _texts(store: ox.Store) -> tuple[dict, dict, dict]:
    tables = {name: defaultdict(dict) for name in ("label", "definition", "statement")}
    for row in run(store, "labels"):
        for variable, table in tables.items():
            text = row[variable]
            if text is not None:
                table[row["term"].value].setdefault(text.language or "en", text.value)
    return tuple(dict(table) for table in tables.values())


def _in_language(texts: Mapping[str, str], lang: str) -> str | None:
    return texts.get(lang) or texts.get("en")


def _concepts(store: ox.Store) -> dict[str, tuple[str, ...]]:
    parents: dict[str, list[str]] = defaultdict(list)
    for row in run(store, "concepts"):
        concept = parents[row["concept"].value]
        if row["parent"] is not None:
            concept.append(row["parent"].value)
    return {concept: tuple(found) for concept, found in parents.items()}


def _ancestors(concept: str, parents: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    seen, stack = set(), list(parents.get(concept, ()))
    while stack:
        parent = stack.pop()
        if parent not in seen:
            seen.add(parent)
            stack.extend(parents.get(parent, ()))
    return frozenset(seen)


def _indicators(store: ox.Store) -> tuple[Indicator, ...]:
    return tuple(
        Indicator(row["concept"].value, row["phrase"].value, row["phrase"].language.lower())
        for row in run(store, "indicators")
    )


def _levels(store: ox.Store) -> tuple[Level, ...]:
    ranks: dict[str, int] = {}
    rules: dict[str, list[Rule]] = defaultdict(list)
    builds_on: dict[str, list[str]] = defaultdict(list)
    for row in run(store, "levels"):
        level = row["level"].value
        ranks[level] = int(row["rank"].value)
        if row["concept"] is not None:
            rule = Rule(row["concept"].value, row["prohibition"].value == "true")
            if rule not in rules[level]:
                rules[level].append(rule)
        if row["buildsOn"] is not None and row["buildsOn"].value not in builds_on[level]:
            builds_on[level].append(row["buildsOn"].value)
    return tuple(
        Level(level, rank, tuple(rules[level]), tuple(builds_on[level]))
        for level, rank in sorted(ranks.items(), key=lambda item: item[1])
    )
