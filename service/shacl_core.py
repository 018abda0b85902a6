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

# SHACL terms, looked up once: rdflib's namespace attribute look-up is slow in loops.
_SH_BLANKNODE = SH["BlankNode"]
_SH_BLANKNODEORIRI = SH["BlankNodeOrIRI"]
_SH_BLANKNODEORLITERAL = SH["BlankNodeOrLiteral"]
_SH_IRI = SH["IRI"]
_SH_IRIORLITERAL = SH["IRIOrLiteral"]
_SH_LITERAL = SH["Literal"]
_SH_NODESHAPE = SH["NodeShape"]
_SH_VIOLATION = SH["Violation"]
_SH_CLASS = SH["class"]
_SH_DATATYPE = SH["datatype"]
_SH_DESCRIPTION = SH["description"]
_SH_GROUP = SH["group"]
_SH_HASVALUE = SH["hasValue"]
_SH_IN = SH["in"]
_SH_INVERSEPATH = SH["inversePath"]
_SH_MAXCOUNT = SH["maxCount"]
_SH_MAXINCLUSIVE = SH["maxInclusive"]
_SH_MAXLENGTH = SH["maxLength"]
_SH_MESSAGE = SH["message"]
_SH_MINCOUNT = SH["minCount"]
_SH_MININCLUSIVE = SH["minInclusive"]
_SH_MINLENGTH = SH["minLength"]
_SH_NAME = SH["name"]
_SH_NODE = SH["node"]
_SH_NODEKIND = SH["nodeKind"]
_SH_ONEORMOREPATH = SH["oneOrMorePath"]
_SH_OR = SH["or"]
_SH_ORDER = SH["order"]
_SH_PATH = SH["path"]
_SH_PROPERTY = SH["property"]
_SH_SEVERITY = SH["severity"]
_SH_TARGETCLASS = SH["targetClass"]
_SH_TARGETNODE = SH["targetNode"]
_SH_TARGETOBJECTSOF = SH["targetObjectsOf"]
_SH_TARGETSUBJECTSOF = SH["targetSubjectsOf"]
_SH_ZEROORMOREPATH = SH["zeroOrMorePath"]
_RDF_TYPE, _RDF_FIRST, _RDF_LANGSTRING = RDF.type, RDF.first, RDF.langString
_RDFS_SUBCLASS_OF, _RDFS_CLASS, _XSD_STRING = RDFS.subClassOf, RDFS.Class, XSD.string

Node = rdflib.term.Node
Path = Callable[["Data", Node], list[Node]]

_SHAPE_KEYS = {
    _SH_TARGETNODE, _SH_TARGETCLASS, _SH_TARGETSUBJECTSOF, _SH_TARGETOBJECTSOF, _SH_PROPERTY,
    _SH_PATH, _SH_MESSAGE, _SH_SEVERITY, _SH_NAME, _SH_DESCRIPTION, _SH_ORDER, _SH_GROUP,
    RDF.type, RDFS.comment, RDFS.label,
}
_CONSTRAINTS = {
    _SH_MINCOUNT, _SH_MAXCOUNT, _SH_DATATYPE, _SH_NODEKIND, _SH_CLASS, _SH_IN, _SH_HASVALUE,
    _SH_MINLENGTH, _SH_MAXLENGTH, _SH_MININCLUSIVE, _SH_MAXINCLUSIVE, _SH_NODE, _SH_OR,
}
_NODE_KINDS = {
    _SH_IRI: (URIRef,), _SH_BLANKNODE: (BNode,), _SH_LITERAL: (Literal,),
    _SH_BLANKNODEORIRI: (BNode, URIRef), _SH_BLANKNODEORLITERAL: (BNode, Literal),
    _SH_IRIORLITERAL: (URIRef, Literal),
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
    severity: URIRef = _SH_VIOLATION


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
        for predicate in (_SH_TARGETNODE, _SH_TARGETCLASS, _SH_TARGETSUBJECTSOF, _SH_TARGETOBJECTSOF):
            for node in self.shapes.subjects(predicate, None):
                if node not in found:
                    found.append(node)
        for node in self.shapes.subjects(_RDF_TYPE, _SH_NODESHAPE):
            if (node, _RDF_TYPE, _RDFS_CLASS) in self.shapes:
                raise UnsupportedShapes(f"implicit class target on {node}")
        return found

    def _compile(self, node: Node) -> Shape:
        if node in self._compiled:
            return self._compiled[node]
        shape = Shape(node)
        self._compiled[node] = shape  # before the children: shapes may refer to each other
        for predicate, value in self.shapes.predicate_objects(node):
            if predicate in _CONSTRAINTS:
                # Kept by local name ("minCount"): plain strings compare far faster than
                # rdflib terms, and evaluation compares constraints thousands of times.
                name = predicate.removeprefix(str(SH))
                shape.checks.append((name, self._constraint_value(predicate, value)))
            elif predicate == _SH_PROPERTY:
                shape.properties.append(self._compile(value))
            elif predicate == _SH_PATH:
                shape.path, shape.path_node = self._compile_path(value), value
            elif predicate not in _SHAPE_KEYS:
                raise UnsupportedShapes(f"{predicate} on shape {node}")
        shape.messages = tuple(self.shapes.objects(node, _SH_MESSAGE))
        shape.severity = self.shapes.value(node, _SH_SEVERITY) or _SH_VIOLATION
        return shape

    def _constraint_value(self, predicate: URIRef, value: Node):
        if predicate == _SH_IN:
            return frozenset(Collection(self.shapes, value))
        if predicate == _SH_OR:
            return tuple(self._compile(member) for member in Collection(self.shapes, value))
        if predicate == _SH_NODE:
            return self._compile(value)
        return value

    def _compile_path(self, path: Node) -> Path:
        if isinstance(path, URIRef):
            return lambda graph, focus: graph.objects(focus, path)
        if (path, _RDF_FIRST, None) in self.shapes:
            steps = [self._compile_path(step) for step in Collection(self.shapes, path)]
            return lambda graph, focus: _follow(graph, [focus], steps)
        inverse = self.shapes.value(path, _SH_INVERSEPATH)
        if isinstance(inverse, URIRef):
            return lambda graph, focus: graph.subjects(inverse, focus)
        for kind, include_focus in ((_SH_ONEORMOREPATH, False), (_SH_ZEROORMOREPATH, True)):
            step = self.shapes.value(path, kind)
            if step is not None:
                inner = self._compile_path(step)
                return lambda graph, focus, inner=inner, zero=include_focus: _closure(
                    graph, focus, inner, zero)
        raise UnsupportedShapes(f"path {path}")

    # Evaluating.

    def _focus_nodes(self, node: Node, data: Data) -> list[Node]:
        focus: list[Node] = list(self.shapes.objects(node, _SH_TARGETNODE))
        for cls in self.shapes.objects(node, _SH_TARGETCLASS):
            focus += [s for s in dict.fromkeys(data.subjects(_RDF_TYPE, None))
                      if _instance_of(data, s, cls)]
        for predicate in self.shapes.objects(node, _SH_TARGETSUBJECTSOF):
            focus += list(data.subjects(predicate, None))
        for predicate in self.shapes.objects(node, _SH_TARGETOBJECTSOF):
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

    def _check(self, shape: Shape, constraint: str, parameter, focus: Node,
               values: list[Node], data: Data) -> list[Result]:
        def result(value: Node | None) -> Result:
            path = shape.path_node if shape.path is not None else None
            return Result(focus, path, value, shape.messages, shape.severity, shape.node)

        if constraint == "minCount":
            return [result(None)] if len(values) < int(parameter) else []
        if constraint == "maxCount":
            return [result(None)] if len(values) > int(parameter) else []
        if constraint == "hasValue":
            return [] if parameter in values else [result(None if shape.path else focus)]
        failing = [value for value in values
                   if not self._value_conforms(constraint, parameter, value, data)]
        return [result(value) for value in failing]

    def _value_conforms(self, constraint: str, parameter, value: Node,
                        data: Data) -> bool:
        if constraint == "datatype":
            return _has_datatype(value, parameter)
        if constraint == "nodeKind":
            return isinstance(value, _NODE_KINDS[parameter])
        if constraint == "class":
            return not isinstance(value, Literal) and _instance_of(data, value, parameter)
        if constraint == "in":
            return value in parameter
        if constraint in ("minLength", "maxLength"):
            if isinstance(value, BNode):
                return False
            length = len(str(value))
            return length >= int(parameter) if constraint == "minLength" else length <= int(parameter)
        if constraint in ("minInclusive", "maxInclusive"):
            number, bound = _number(value), _number(parameter)
            if number is None or bound is None:
                return False
            return number >= bound if constraint == "minInclusive" else number <= bound
        if constraint == "node":
            return self._conforms(parameter, value, data)
        if constraint == "or":
            return any(self._conforms(member, value, data) for member in parameter)
        raise UnsupportedShapes(f"sh:{constraint}")


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
    types = list(data.objects(node, _RDF_TYPE))
    return any(t == cls or cls in _closure(data, t, _superclasses, False) for t in types)


def _superclasses(graph: Data, node: Node) -> Iterable[Node]:
    return list(graph.objects(node, _RDFS_SUBCLASS_OF))


def _has_datatype(value: Node, datatype: Node) -> bool:
    if not isinstance(value, Literal):
        return False
    if value.language is not None:
        return datatype == _RDF_LANGSTRING
    # An ill-typed literal ("abc"^^xsd:integer) has no value: it does not conform.
    return (value.datatype or _XSD_STRING) == datatype and not getattr(value, "ill_typed", False)


def _number(node: Node) -> Decimal | None:
    if not isinstance(node, Literal) or node.language is not None:
        return None
    try:
        return Decimal(str(node))
    except InvalidOperation:
        return None
