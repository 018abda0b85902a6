"""Materialise the class hierarchy the assessment honours, once per ontology load.

When an engineer states in Protégé that a new concept is a subclass of, or equivalent to, a
core one, a claim for the new concept must count for the core one. :func:`infer_hierarchy`
returns every ``rdfs:subClassOf`` that holds between named classes (transitively, and both
ways for equivalent classes), so the level queries need only one step, not a reasoner.

Reasoners, from most to least complete:

- ``"hermit"``: HermiT through owlready2, the full OWL 2 DL semantics; starts a JVM
  (about 1.2 s a call), so run it at load time only.
- ``"owlrl"``: the OWL 2 RL rules in pure Python (``owlrl``); no Java, catches
  subclass and equivalence chains and intersections, not every DL entailment, and
  its consistency verdict is not used (see :func:`_owlrl`).
- ``"none"``: the transitive closure of the stated ``rdfs:subClassOf`` and
  ``owl:equivalentClass`` only.

owlready2 fetches imports and runs ``python_module`` annotations when it loads an
ontology (``../shared/security-notes.md``), so it is handed only a copy of the graph
without ``owl:imports`` (they were resolved by :mod:`grasp.sources`) and without those
annotations.

>>> from rdflib import Graph
>>> g = Graph().parse(data='''
...     @prefix : <urn:x:> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
...     @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
...     :A a owl:Class . :B a owl:Class ; rdfs:subClassOf :A . :C a owl:Class ; owl:equivalentClass :B .
... ''', format="turtle")
>>> sorted((s.split(":")[-1], o.split(":")[-1]) for s, _, o in infer_hierarchy(g, reasoner="none"))
[('B', 'A'), ('B', 'C'), ('C', 'A'), ('C', 'B')]
"""

from __future__ import annotations

import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

Reasoner = Literal["hermit", "owlrl", "none"]
REASONERS: tuple[str, ...] = ("hermit", "owlrl", "none")

# Classes every class is under or over; they tell an assessment nothing.
_TRIVIAL = {OWL.Thing, OWL.Nothing, RDFS.Resource, OWL.Class, RDFS.Class}
# owlready2 keeps module-level state (its default world, the reasoner's temp files):
# one reasoning run at a time in a process.
_OWLREADY_LOCK = threading.Lock()


class ReasoningError(Exception):
    """The reasoner could not run, or found the ontology inconsistent."""


@dataclass
class ReasoningResult:
    """What one reasoner run found: the inferred hierarchy and what cannot hold."""

    hierarchy: Graph
    consistent: bool = True
    unsatisfiable: list[URIRef] = field(default_factory=list)


def infer_hierarchy(graph: Graph, *, reasoner: Reasoner = "hermit") -> Graph:
    """Return the ``rdfs:subClassOf`` triples that hold between named classes.

    Raise :class:`ReasoningError` if the reasoner cannot run or the ontology is
    inconsistent (then every class would be a subclass of every other).
    """
    result = reason(graph, reasoner=reasoner)
    if not result.consistent:
        raise ReasoningError("the ontology is inconsistent; run `grasp check` to see why")
    return result.hierarchy


def check_consistency(graph: Graph) -> list[str]:
    """List, in plain words, why the ontology cannot hold (HermiT); [] when it is sound."""
    result = reason(graph, reasoner="hermit")
    if not result.consistent:
        return ["the ontology is inconsistent: no world can satisfy all its axioms"]
    return [
        f"{iri} is unsatisfiable: no individual can be a member of it, so no claim can affirm it"
        for iri in result.unsatisfiable
    ]


def reason(graph: Graph, *, reasoner: Reasoner = "hermit") -> ReasoningResult:
    """Run one reasoner over the graph: hierarchy, consistency and unsatisfiable classes.

    Call this once per ontology load when both the hierarchy and the consistency verdict
    are needed: with HermiT each call starts a JVM.
    """
    if reasoner == "hermit":
        return _hermit(graph)
    if reasoner == "owlrl":
        return _owlrl(graph)
    if reasoner == "none":
        return ReasoningResult(hierarchy=_closure(_stated_edges(graph), _named_classes(graph)))
    raise ValueError(f"unknown reasoner {reasoner!r}; use one of {', '.join(REASONERS)}")


# --- the three reasoners ----------------------------------------------------------------


def _owlrl(graph: Graph) -> ReasoningResult:
    import owlrl

    expanded = Graph()
    expanded += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False).expand(expanded)
    classes = _named_classes(graph)
    edges = [
        (s, o)
        for s, o in expanded.subject_objects(RDFS.subClassOf)
        if s in classes and o in classes
    ]
    unsatisfiable = sorted(
        s for s in expanded.subjects(RDFS.subClassOf, OWL.Nothing) if s in classes
    )
    # owlrl also records clashes as error messages, but they are not a verdict to trust:
    # owlrl 7.6 flags the shipped ontology (owl:hasKey on grasp:rank makes it merge the
    # levels, and it rejects "0.0" as an xsd:double). Consistency is HermiT's call.
    return ReasoningResult(
        hierarchy=_closure(edges, classes, exclude=set(unsatisfiable)),
        unsatisfiable=unsatisfiable,
    )


def _hermit(graph: Graph) -> ReasoningResult:
    try:
        import owlready2
    except ImportError as error:  # a dependency; only a broken install lacks it
        raise ReasoningError("owlready2 is not installed") from error

    classes = _named_classes(graph)
    with _OWLREADY_LOCK, tempfile.TemporaryDirectory(prefix="grasp-hermit-") as folder:
        document = Path(folder) / "ontology.nt"
        _safe_copy(graph).serialize(document, format="nt", encoding="utf-8")
        world = owlready2.World()  # in memory, dropped after this call
        try:
            ontology = world.get_ontology(document.as_uri()).load(
                fileobj=document.open("rb"), format="ntriples"
            )
            with ontology:
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, debug=0, keep_tmp_file=False
                )
            inferred, unsatisfiable = _owlready_edges(world, classes)
        except owlready2.OwlReadyInconsistentOntologyError:
            return ReasoningResult(hierarchy=Graph(), consistent=False)
        except FileNotFoundError as error:
            raise ReasoningError("HermiT needs Java: install default-jre-headless") from error
        except Exception as error:
            raise ReasoningError(f"HermiT failed: {_first_line(error)}") from error
        finally:
            world.close()
    # What was stated holds too; owlready2 skips classes that were never declared.
    edges = [*_stated_edges(graph), *inferred]
    return ReasoningResult(
        hierarchy=_closure(edges, classes, exclude=unsatisfiable),
        unsatisfiable=sorted(unsatisfiable),
    )


def _owlready_edges(world, classes: set[URIRef]) -> tuple[list, set[URIRef]]:
    """Read the stated and inferred hierarchy back from an owlready2 world."""
    nothing = str(OWL.Nothing)
    edges: list[tuple[URIRef, URIRef]] = []
    unsatisfiable: set[URIRef] = set()
    for cls in world.classes():
        iri = URIRef(cls.iri)
        if iri not in classes:
            continue
        for parent in list(cls.is_a) + list(cls.equivalent_to):
            parent_iri = getattr(parent, "iri", None)
            if parent_iri == nothing:
                unsatisfiable.add(iri)
            elif parent_iri and URIRef(parent_iri) in classes:
                edges.append((iri, URIRef(parent_iri)))
                if parent in cls.equivalent_to:
                    edges.append((URIRef(parent_iri), iri))
    # HermiT reports an unsatisfiable class as equivalent to owl:Nothing.
    for cls in world.inconsistent_classes():
        if URIRef(cls.iri) in classes:
            unsatisfiable.add(URIRef(cls.iri))
    return edges, unsatisfiable


def _safe_copy(graph: Graph) -> Graph:
    """Copy the graph without what makes owlready2 fetch (imports) or run code."""
    copy = Graph()
    for s, p, o in graph:
        if p == OWL.imports or str(p).endswith("python_module"):
            continue
        copy.add((s, p, o))
    return copy


# --- the hierarchy between named classes ------------------------------------------------


def _named_classes(graph: Graph) -> set[URIRef]:
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    for s, o in graph.subject_objects(RDFS.subClassOf):
        classes.update(node for node in (s, o) if isinstance(node, URIRef))
    for s, o in graph.subject_objects(OWL.equivalentClass):
        classes.update(node for node in (s, o) if isinstance(node, URIRef))
    return classes - _TRIVIAL


def _stated_edges(graph: Graph) -> Iterable[tuple[URIRef, URIRef]]:
    for s, o in graph.subject_objects(RDFS.subClassOf):
        yield s, o
    for s, o in graph.subject_objects(OWL.equivalentClass):
        yield s, o
        yield o, s


def _closure(
    edges: Iterable[tuple[URIRef, URIRef]],
    classes: set[URIRef],
    *,
    exclude: set[URIRef] = frozenset(),
) -> Graph:
    """Return the transitive closure of the edges between named classes, without loops."""
    parents: dict[URIRef, set[URIRef]] = defaultdict(set)
    for child, parent in edges:
        if child in classes and parent in classes and child not in exclude:
            parents[child].add(parent)
    hierarchy = Graph()
    hierarchy.bind("rdfs", RDFS)
    for start in list(parents):
        seen: set[URIRef] = set()
        stack = list(parents[start])
        while stack:
            parent = stack.pop()
            if parent in seen:
                continue
            seen.add(parent)
            stack.extend(parents.get(parent, ()))
        for ancestor in seen - {start}:
            hierarchy.add((start, RDFS.subClassOf, ancestor))
    return hierarchy


def _first_line(error: Exception) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
