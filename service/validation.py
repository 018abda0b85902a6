"""Validate graphs against Grasp's SHACL shapes and report in plain words.

pySHACL is the reference validator. A failed validation is a result, not an exception:
:class:`ValidationReport` lists each violation with its focus node, path, value and message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rdflib
from pyshacl import validate as pyshacl_validate
from pyshacl.rdfutil import stringify as pyshacl_stringify
from rdflib.namespace import SH

import grasp.rdflib_guard  # noqa: F401 - no SERVICE, no FROM <url> in rdflib SPARQL
from grasp.config import PROJECT_ROOT
from grasp.namespaces import compact
from grasp.shacl_core import ShapesValidator, TripleIndex, UnsupportedShapes

Triple = tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]

SHAPES_DIR = PROJECT_ROOT / "shapes"
CLAIMS_SHAPES = SHAPES_DIR / "claims.shacl.ttl"
ONTOLOGY_RULES_SHAPES = SHAPES_DIR / "ontology-rules.shacl.ttl"


@dataclass(frozen=True)
class Violation:
    """One SHACL result: which node, along which path, which value, and why."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str = "Violation"
    shape: str | None = None

    def describe(self) -> str:
        """Return the violation as one line of plain words."""
        where = compact(self.focus) + (f" {compact(self.path)}" if self.path else "")
        value = f" (value: {compact(self.value)})" if self.value is not None else ""
        return f"{where}{value}: {self.message}"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of one validation: ``conforms`` and the violations, in a stable order."""

    conforms: bool
    violations: tuple[Violation, ...] = ()

    def text(self) -> str:
        """Return the report as lines of plain words, one per violation."""
        if self.conforms:
            return "Conforms."
        return "\n".join(violation.describe() for violation in self.violations)


@cache
def load_shapes(path: Path) -> rdflib.Graph:
    """Parse a shapes file once; the graph is shared and must not be modified."""
    return rdflib.Graph().parse(path, format="turtle")


@cache
def _core_validator(path: Path) -> ShapesValidator | None:
    try:
        return ShapesValidator(load_shapes(path))
    except UnsupportedShapes:
        return None  # the shapes need more of SHACL: pySHACL will validate them


def validate_graph(data: rdflib.Graph | Sequence[Triple], shapes: Path, *, lang: str = "en",
                   reference: bool = False) -> ValidationReport:
    """Validate ``data`` (a graph, or a list of rdflib triples) against the shapes file ``shapes``.

    Small graphs are validated by :mod:`grasp.shacl_core` when the shapes stay within what
    it evaluates; otherwise, or with ``reference``, by pySHACL. Only our own shapes graph is
    used (never shapes found in the data), with SHACL-AF off, so a request cannot bring
    rules or SPARQL of its own.
    """
    shapes_graph = load_shapes(shapes)
    core = None if reference else _core_validator(shapes)
    if core is not None:
        violations = [
            Violation(
                focus=_term(result.focus),
                path=_term(result.path) if isinstance(result.path, rdflib.URIRef) else None,
                value=_term(result.value) if result.value is not None else None,
                message=_pick_message(list(result.messages), lang),
                severity=str(result.severity).rpartition("#")[2],
                shape=_named_shape(shapes_graph, result.source_shape),
            )
            for result in core.validate(data if isinstance(data, rdflib.Graph) else TripleIndex(data))
        ]
        return ValidationReport(conforms=not violations, violations=_in_order(violations))
    if not isinstance(data, rdflib.Graph):
        graph = rdflib.Graph()
        for triple in data:
            graph.add(triple)
        data = graph
    conforms, results, _ = pyshacl_validate(
        data,
        shacl_graph=shapes_graph,
        inference="none",
        advanced=False,
        allow_warnings=True,
        abort_on_first=False,
    )
    report = ValidationReport(conforms=bool(conforms),
                              violations=_violations(results, shapes_graph, lang))
    _forget_pyshacl_blank_node_names()
    return report


def validate_ontology_rules(graph: rdflib.Graph) -> ValidationReport:
    """Check an ontology's level rules (ranks, requirements, buildsOn) against its shapes."""
    return validate_graph(graph, ONTOLOGY_RULES_SHAPES)


def _forget_pyshacl_blank_node_names() -> None:
    # pySHACL caches blank-node strings in a module-level dict keyed by id(graph) and never
    # clears it: it grows with every call and, as ids are reused, could serve stale names.
    cache = getattr(getattr(pyshacl_stringify, "stringify_blank_node", None), "dict_cache", None)
    if isinstance(cache, dict):
        cache.clear()


def _violations(results: rdflib.Graph, shapes: rdflib.Graph, lang: str) -> tuple[Violation, ...]:
    found = []
    # Only the report's own results: nested sh:detail results explain them, not add to them.
    for result in results.objects(None, SH.result):
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        found.append(
            Violation(
                focus=_term(results.value(result, SH.focusNode)),
                path=_term(path) if isinstance(path, rdflib.URIRef) else None,
                value=_term(value) if value is not None else None,
                message=_pick_message(list(results.objects(result, SH.resultMessage)), lang),
                severity=_term(results.value(result, SH.resultSeverity)).rpartition("#")[2],
                shape=_named_shape(shapes, results.value(result, SH.sourceShape)),
            )
        )
    return _in_order(found)


def _in_order(violations: list[Violation]) -> tuple[Violation, ...]:
    return tuple(sorted(set(violations), key=lambda v: (v.focus, v.path or "", v.message,
                                                         v.value or "")))


def _named_shape(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> str | None:
    """Name the shape a result cites: a property shape by the node shape that holds it."""
    if isinstance(shape, rdflib.BNode):
        shape = shapes.value(predicate=SH.property, object=shape)
    return str(shape) if isinstance(shape, rdflib.URIRef) else None


def _pick_message(messages: list[rdflib.Literal], lang: str) -> str:
    for message in messages:
        if getattr(message, "language", None) == lang:
            return str(message)
    # pySHACL drops the language tags of SHACL-SPARQL messages: tell them apart by script.
    untagged = [m for m in messages if getattr(m, "language", None) is None]
    for message in untagged:
        if _is_cyrillic(str(message)) == (lang == "ru"):
            return str(message)
    for message in messages:
        if getattr(message, "language", None) == "en":
            return str(message)
    return str(messages[0]) if messages else "Does not conform to its shape."


def _is_cyrillic(text: str) -> bool:
    return any("\u0400" <= char <= "\u04ff" for char in text)


def _term(node: rdflib.term.Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    return str(node)
