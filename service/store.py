"""Where assessments live: a small store interface and its embedded pyoxigraph implementation.

The interface is what Grasp needs of a quad store and no more: add a named graph atomically,
replace one, read one, list graphs, run a SELECT with bound values. An embedded persistent
pyoxigraph store implements it; a remote SPARQL 1.1 store (Oxigraph server, Fuseki, GraphDB)
can implement the same five methods over the SPARQL Protocol and the Graph Store Protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class Store(Protocol):
    """The operations Grasp performs on a quad store."""

    def add_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        """Add ``triples`` to the named graph ``graph`` in one transaction."""

    def replace_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        """Make ``triples`` the whole content of ``graph``, in one transaction."""

    def graph(self, graph: ox.NamedNode) -> list[ox.Triple] | None:
        """Return the triples of ``graph``, or None when there is no such graph."""

    def select(self, text: str, *, default_graph: ox.NamedNode | None = None,
               bindings: Mapping[str, Term] | None = None) -> Iterator[ox.QuerySolution]:
        """Run a SELECT query, with ``bindings`` substituted for its variables."""

    def close(self) -> None:
        """Release the store."""


class EmbeddedStore:
    """A pyoxigraph store: on disk at ``path``, or in memory when ``path`` is None.

    >>> store = EmbeddedStore(None)
    >>> g = ox.NamedNode("urn:example:g")
    >>> store.add_graph(g, [ox.Triple(g, ox.NamedNode("urn:example:p"), ox.Literal("x"))])
    >>> len(store.graph(g))
    1
    """

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.oxigraph = ox.Store(str(path)) if path is not None else ox.Store()

    def add_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        """Add ``triples`` to the named graph ``graph`` in one transaction."""
        # One transaction, in RocksDB's write-ahead log: it survives a restart. An explicit
        # flush() here would write a new table file per assessment (~30 ms).
        self.oxigraph.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)

    def replace_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        """Make ``triples`` the whole content of ``graph``, in one transaction."""
        # One SPARQL Update is one transaction: readers see the old graph or the new one.
        # The data is N-Triples written by pyoxigraph itself, never text from a request.
        data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        self.oxigraph.update(f"DROP SILENT GRAPH <{graph.value}> ;\n"
                             f"INSERT DATA {{ GRAPH <{graph.value}> {{\n{data}}} }}")

    def graph(self, graph: ox.NamedNode) -> list[ox.Triple] | None:
        """Return the triples of ``graph``, or None when there is no such graph."""
        triples = [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self.oxigraph.quads_for_pattern(None, None, None, graph)
        ]
        return triples or None

    def select(self, text: str, *, default_graph: ox.NamedNode | None = None,
               bindings: Mapping[str, Term] | None = None) -> Iterator[ox.QuerySolution]:
        """Run a SELECT query, with ``bindings`` substituted for its variables."""
        return iter(self.oxigraph.query(
            text,
            default_graph=default_graph,
            substitutions={ox.Variable(name): value for name, value in (bindings or {}).items()},
        ))

    def close(self) -> None:
        """Flush and release the store (and its directory lock)."""
        if self.path is not None:
            self.oxigraph.flush()
        del self.oxigraph
