"""A small SHACL Core validator for the request path, reading the same shapes files.

pySHACL is the reference, and costs ~30 ms a call. Validating one small claims graph needs
only a part of SHACL Core, which this module evaluates directly, in well under a
millisecond. It reads the shapes graph once and refuses (:class:`UnsupportedShapes`) any
feature it does not implement: then Grasp validates with pySHACL instead, so editing the
shapes can never make validation wrong, only slower. ``tests/test_validation.py`` checks
that both validators give the same report on every shapes test case.

Supported: node shapes with ``sh:targetNode``, ``sh:targetClass``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf``; property shapes with IRI, inverse,
sequence, ``sh:oneOrMorePath`` and ``sh:zeroOrMorePath`` paths; the constraints
``sh:minCount``, ``sh:maxCount``, ``sh:datatype``, ``sh:nodeKind``, ``sh:class``, ``sh:in``,
``sh:hasValue``, ``sh:minLength``, ``sh:maxLength``, ``sh:minInclusive``,
``sh:maxInclusive``, ``sh:node``, ``sh:or``; ``sh:message`` and ``sh:severity``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import rdflib
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD

Node = rdflib.term.Node
Path = Callable[["Data", Node], list[Node]]

_SHAPE_KEYS = {
    SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property,
    SH.path, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group,
    RDF.type, RDFS.comment, RDFS.label,
}
_CONSTRAINTS = {
    SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH["class"], SH["in"], SH.hasValue,
    SH.minLength, SH.maxLength, SH.minInclusive, SH.maxInclusive, SH.node, SH["or"],
}
_NODE_KINDS = {
    SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef), SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}


class TripleIndex:
    """A data graph as plain dictionaries: the two look-ups validation makes, and no more.

    A claims graph is validated once and dropped; indexing its few dozen triples in dicts
    costs a fraction of building an rdflib Graph.
    """

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        self._objects: dict[tuple[Node, Node], list[Node]] = {}
        self._subjects: dict[tuple[Node, Node], list[Node]] = {}
        self._pairs: dict[Node, list[tuple[Node, Node]]] = {}
        for subject, predicate, obj in dict.fromkeys(triples):
            self._objects.setdefault((subject, predicate), []).append(obj)
            self._subjects.setdefault((predicate, obj), []).append(subject)
            self._pairs.setdefault(predicate, []).append((subject, obj))

    def objects(self, subject: Node | None, predicate: Node) -> list[Node]:
        """Return the objects of ``subject predicate ?o`` (any subject when None)."""
        if subject is None:
            return [o for _, o in self._pairs.get(predicate, ())]
        return self._objects.get((subject, predicate), [])

    def subjects(self, predicate: Node, obj: Node | None) -> list[Node]:
        """Return the subjects of ``?s predicate obj`` (any object when None)."""
        if obj is None:
            return [s for s, _ in self._pairs.get(predicate, ())]
        return self._subjects.get((predicate, obj), [])


Data = rdflib.Graph | TripleIndex


class UnsupportedShapes(ValueError):
    """The shapes use a SHACL feature this validator does not evaluate."""


@dataclass(frozen=True)
class Result:
    """One validation result, in the terms of the SHACL report."""

    focus: Node
    path: Node | None
    value: Node | None
    messages: tuple[Literal, ...]
    severity: URIRef
    source_shape: Node


@dataclass
class Shape:
    """A node or property shape, compiled: its path (property shapes), checks and children."""

    node: Node
    path: Path | None = None
    path_node: Node | None = None
    checks: list[tuple[URIRef, Node]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    messages: tuple[Literal, ...] = ()
    severity: URIRef = SH.Violation


class ShapesValidator:
    """Validate data graphs against one shapes graph.

    >>> shapes = rdflib.Graph().parse(data='''
    ...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
    ...   ex:S a sh:NodeShape ; sh:targetClass ex:C ;
    ...     sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message "needs ex:p" ] .''',
    ...   format="turtle")
    >>> data = rdflib.Graph().parse(data="<urn:ex:a> a <urn:ex:C> .", format="turtle")
    >>> [str(r.messages[0]) for r in ShapesValidator(shapes).validate(data)]
    ['needs ex:p']
    """

    def __init__(self, shapes: rdflib.Graph) -> None:
        self.shapes = shapes
        self._compiled: dict[Node, Shape] = {}
        self._targeted = [self._compile(node) for node in self._shapes_with_targets()]

    def validate(self, data: Data) -> list[Result]:
        """Return every result of ``data`` against the shapes (empty when it conforms)."""
        results: list[Result] = []
        for shape in self._targeted:
            for focus in self._focus_nodes(shape.node, data):
                results += self._node_results(shape, focus, data)
        return results

    # Compiling the shapes graph, once.

    def _shapes_with_targets(self) -> list[Node]:
        found: list[Node] = []
        for predicate in (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf):
            for node in self.shapes.subjects(predicate, None):
                if node not in found:
                    found.append(node)
        for node in self.shapes.subjects(RDF.type, SH.NodeShape):
            if (node, RDF.type, RDFS.Class) in self.shapes:
                raise UnsupportedShapes(f"implicit class target on {node}")
        return found

    def _compile(self, node: Node) -> Shape:
        if node in self._compiled:
            return self._compiled[node]
        shape = Shape(node)
        self._compiled[node] = shape  # before the children: shapes may refer to each other
        for predicate, value in self.shapes.predicate_objects(node):
            if predicate in _CONSTRAINTS:
                shape.checks.append((predicate, self._constraint_value(predicate, value)))
            elif predicate == SH.property:
                shape.properties.append(self._compile(value))
            elif predicate == SH.path:
                shape.path, shape.path_node = self._compile_path(value), value
            elif predicate not in _SHAPE_KEYS:
                raise UnsupportedShapes(f"{predicate} on shape {node}")
        shape.messages = tuple(self.shapes.objects(node, SH.message))
        shape.severity = self.shapes.value(node, SH.severity) or SH.Violation
        return shape

    def _constraint_value(self, predicate: URIRef, value: Node):
        if predicate == SH["in"]:
            return frozenset(Collection(self.shapes, value))
        if predicate == SH["or"]:
            return tuple(self._compile(member) for member in Collection(self.shapes, value))
        if predicate == SH.node:
            return self._compile(value)
        return value

    def _compile_path(self, path: Node) -> Path:
        if isinstance(path, URIRef):
            return lambda graph, focus: graph.objects(focus, path)
        if (path, RDF.first, None) in self.shapes:
            steps = [self._compile_path(step) for step in Collection(self.shapes, path)]
            return lambda graph, focus: _follow(graph, [focus], steps)
        inverse = self.shapes.value(path, SH.inversePath)
        if isinstance(inverse, URIRef):
            return lambda graph, focus: graph.subjects(inverse, focus)
        for kind, include_focus in ((SH.oneOrMorePath, False), (SH.zeroOrMorePath, True)):
            step = self.shapes.value(path, kind)
            if step is not None:
                inner = self._compile_path(step)
                return lambda graph, focus, inner=inner, zero=include_focus: _closure(
                    graph, focus, inner, zero)
        raise UnsupportedShapes(f"path {path}")

    # Evaluating.

    def _focus_nodes(self, node: Node, data: Data) -> list[Node]:
        focus: list[Node] = list(self.shapes.objects(node, SH.targetNode))
        for cls in self.shapes.objects(node, SH.targetClass):
            focus += [s for s in dict.fromkeys(data.subjects(RDF.type, None))
                      if _instance_of(data, s, cls)]
        for predicate in self.shapes.objects(node, SH.targetSubjectsOf):
            focus += list(data.subjects(predicate, None))
        for predicate in self.shapes.objects(node, SH.targetObjectsOf):
            focus += list(data.objects(None, predicate))
        return list(dict.fromkeys(focus))

    def _node_results(self, shape: Shape, focus: Node, data: Data) -> list[Result]:
        results = []
        if shape.path is None:
            for constraint, parameter in shape.checks:
                results += self._check(shape, constraint, parameter, focus, [focus], data)
        else:
            values = list(dict.fromkeys(shape.path(data, focus)))
            for constraint, parameter in shape.checks:
                results += self._check(shape, constraint, parameter, focus, values, data)
        for child in shape.properties:
            results += self._node_results(child, focus, data)
        return results

    def _conforms(self, shape: Shape, focus: Node, data: Data) -> bool:
        return not self._node_results(shape, focus, data)

    def _check(self, shape: Shape, constraint: URIRef, parameter, focus: Node,
               values: list[Node], data: Data) -> list[Result]:
        def result(value: Node | None) -> Result:
            path = shape.path_node if shape.path is not None else None
            return Result(focus, path, value, shape.messages, shape.severity, shape.node)

        if constraint == SH.minCount:
            return [result(None)] if len(values) < int(parameter) else []
        if constraint == SH.maxCount:
            return [result(None)] if len(values) > int(parameter) else []
        if constraint == SH.hasValue:
            return [] if parameter in values else [result(None if shape.path else focus)]
        failing = [value for value in values
                   if not self._value_conforms(constraint, parameter, value, data)]
        return [result(value) for value in failing]

    def _value_conforms(self, constraint: URIRef, parameter, value: Node,
                        data: Data) -> bool:
        if constraint == SH.datatype:
            return _has_datatype(value, parameter)
        if constraint == SH.nodeKind:
            return isinstance(value, _NODE_KINDS[parameter])
        if constraint == SH["class"]:
            return not isinstance(value, Literal) and _instance_of(data, value, parameter)
        if constraint == SH["in"]:
            return value in parameter
        if constraint in (SH.minLength, SH.maxLength):
            if isinstance(value, BNode):
                return False
            length = len(str(value))
            return length >= int(parameter) if constraint == SH.minLength else length <= int(parameter)
        if constraint in (SH.minInclusive, SH.maxInclusive):
            number, bound = _number(value), _number(parameter)
            if number is None or bound is None:
                return False
            return number >= bound if constraint == SH.minInclusive else number <= bound
        if constraint == SH.node:
            return self._conforms(parameter, value, data)
        if constraint == SH["or"]:
            return any(self._conforms(member, value, data) for member in parameter)
        raise UnsupportedShapes(str(constraint))


def _follow(graph: Data, nodes: list[Node], steps: list[Path]) -> list[Node]:
    for step in steps:
        nodes = [reached for node in nodes for reached in step(graph, node)]
    return nodes


def _closure(graph: Data, focus: Node, step: Path, include_focus: bool) -> list[Node]:
    seen: list[Node] = [focus] if include_focus else []
    frontier = [focus]
    while frontier:
        frontier = [n for node in frontier for n in step(graph, node) if n not in seen]
        frontier = list(dict.fromkeys(frontier))
        seen += frontier
    return seen


def _instance_of(data: Data, node: Node, cls: Node) -> bool:
    types = list(data.objects(node, RDF.type))
    return any(t == cls or cls in _closure(data, t, _superclasses, False) for t in types)


def _superclasses(graph: Data, node: Node) -> Iterable[Node]:
    return list(graph.objects(node, RDFS.subClassOf))


def _has_datatype(value: Node, datatype: Node) -> bool:
    if not isinstance(value, Literal):
        return False
    if value.language is not None:
        return datatype == RDF.langString
    # An ill-typed literal ("abc"^^xsd:integer) has no value: it does not conform.
    return (value.datatype or XSD.string) == datatype and not getattr(value, "ill_typed", False)


def _number(node: Node) -> Decimal | None:
    if not isinstance(node, Literal) or node.language is not None:
        return None
    try:
        return Decimal(str(node))
    except InvalidOperation:
        return None
