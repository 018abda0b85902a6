"""Validate graphs against Grasp's SHACL shapes and report in plain words.

pySHACL is the reference validator. A failed validation is a result, not an exception:
:class:`ValidationReport` lists each violation with its focus node, path, value and message.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rdflib
from pyshacl import validate as pyshacl_validate
from rdflib.namespace import SH

import grasp.rdflib_guard  # noqa: F401 - no SERVICE, no FROM <url> in rdflib SPARQL
from grasp.config import PROJECT_ROOT
from grasp.namespaces import compact

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


def validate_graph(data: rdflib.Graph, shapes: Path, *, lang: str = "en") -> ValidationReport:
    """Validate ``data`` against the shapes file ``shapes`` with pySHACL.

    Only our own shapes graph is used (never shapes found in the data), with SHACL-AF off,
    so a request cannot bring rules or SPARQL of its own.
    """
    shapes_graph = load_shapes(shapes)
    conforms, results, _ = pyshacl_validate(
        data,
        shacl_graph=shapes_graph,
        inference="none",
        advanced=False,
        allow_warnings=True,
        abort_on_first=False,
    )
    return ValidationReport(conforms=bool(conforms),
                            violations=_violations(results, shapes_graph, lang))


def validate_ontology_rules(graph: rdflib.Graph) -> ValidationReport:
    """Check an ontology's level rules (ranks, requirements, buildsOn) against its shapes."""
    return validate_graph(graph, ONTOLOGY_RULES_SHAPES)


def _violations(results: rdflib.Graph, shapes: rdflib.Graph, lang: str) -> tuple[Violation, ...]:
    found = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        found.append(
            Violation(
                focus=_term(results.value(result, SH.focusNode)),
                path=_term(path) if isinstance(path, rdflib.URIRef) else None,
                value=_term(value) if value is not None else None,
                message=_message(results, result, lang),
                severity=_term(results.value(result, SH.resultSeverity)).rpartition("#")[2],
                shape=_named_shape(shapes, results.value(result, SH.sourceShape)),
            )
        )
    return tuple(sorted(set(found), key=lambda v: (v.focus, v.path or "", v.message)))


def _named_shape(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> str | None:
    """Name the shape a result cites: a property shape by the node shape that holds it."""
    if isinstance(shape, rdflib.BNode):
        shape = shapes.value(predicate=SH.property, object=shape)
    return str(shape) if isinstance(shape, rdflib.URIRef) else None


def _message(results: rdflib.Graph, result: rdflib.term.Node, lang: str) -> str:
    messages = list(results.objects(result, SH.resultMessage))
    for wanted in (lang, "en", None):
        for message in messages:
            if getattr(message, "language", None) == wanted:
                return str(message)
    return str(messages[0]) if messages else "Does not conform to its shape."


def _term(node: rdflib.term.Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    return str(node)
