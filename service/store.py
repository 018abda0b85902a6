"""Where assessments live: a small store interface and its embedded pyoxigraph implementation.

The interface is what Grasp needs of a quad store and no more: add a named graph atomically
(as triples, or as N-Triples bytes), replace one, read one, run a SELECT with bound values,
close. An embedded persistent pyoxigraph store implements it; a remote SPARQL 1.1 store
(Oxigraph server, Fuseki, GraphDB) can implement the same six methods over the SPARQL
Protocol and the Graph Store Protocol.

:class:`WriteBehind` wraps any of them so that adding a graph returns before the disk write
ends, while every read still sees every write made before it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal

log = logging.getLogger("grasp")

#: How many quads the on-disk store takes in memory before they are written to a table file.
#: Every insert first looks its keys up, and lookups in a large in-memory table slow down as
#: it grows: 200 quads cost 3 ms to insert into a fresh table and 9 ms at 400,000 (bench/).
FLUSH_EVERY_QUADS = 20_000


class Store(Protocol):
    """The operations Grasp performs on a quad store."""

    def add_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        """Add ``triples`` to the named graph ``graph`` in one transaction."""

    def add_graph_data(self, graph: ox.NamedNode, data: bytes) -> None:
        """Add the N-Triples ``data`` (as pyoxigraph writes them) to ``graph`` in one transaction."""

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
        self._unflushed = 0
        self._flusher: threading.Thread | None = None

    def add_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        """Add ``triples`` to the named graph ``graph`` in one transaction."""
        # One transaction, in RocksDB's write-ahead log: it survives a restart.
        quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        self.oxigraph.extend(quads)
        self._flush_when_full(len(quads))

    def add_graph_data(self, graph: ox.NamedNode, data: bytes) -> None:
        """Add the N-Triples ``data`` (as pyoxigraph writes them) to ``graph`` in one transaction."""
        self.oxigraph.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        self._flush_when_full(data.count(b"\n"))  # one triple a line

    def _flush_when_full(self, quads: int) -> None:
        # A flush per write would cost a table file each (~30 ms); one every FLUSH_EVERY_QUADS,
        # in a thread (pyoxigraph lets go of the GIL meanwhile), keeps inserts fast.
        if self.path is None:
            return
        self._unflushed += quads
        if self._unflushed >= FLUSH_EVERY_QUADS and not (self._flusher and self._flusher.is_alive()):
            self._unflushed = 0
            self._flusher = threading.Thread(target=self.oxigraph.flush, name="grasp-store-flush",
                                             daemon=True)
            self._flusher.start()

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
        if self._flusher is not None:
            self._flusher.join()
        if self.path is not None:
            self.oxigraph.flush()
        del self.oxigraph


class WriteBehind:
    """A store whose :meth:`add_graph` returns at once while a thread writes the graph.

    Writing 200 quads to disk costs ~4 ms, a third of an assessment; a caller that has
    computed an assessment need not wait for it. What callers can still rely on:

    - every read (:meth:`graph`, :meth:`select`, :meth:`wait`) first waits for the writes
      added before it, so a client always reads its own writes;
    - writes reach the store in the order they were added, each in one transaction, and
      ``on_write`` runs after each one (the SPARQL endpoint takes new snapshots after it);
    - :meth:`close` writes everything still queued;
    - a write that fails is logged and kept in :attr:`failure`, and from then on every write
      is synchronous, so the next caller gets the error instead of a false success.

    What it gives up: a process killed (not stopped) in the few milliseconds between the
    answer and the write loses that graph. ``background=False`` writes synchronously.

    The caller's thread serializes the triples to N-Triples and the writer loads the bytes:
    building pyoxigraph quads from Python objects in the writer took the GIL from the request
    thread and freed objects that thread had made, which cost 1–2 ms of every answer (bench/).

    >>> store = WriteBehind(EmbeddedStore(None))
    >>> g = ox.NamedNode("urn:example:g")
    >>> store.add_graph(g, [ox.Triple(g, ox.NamedNode("urn:example:p"), ox.Literal("x"))])
    >>> len(store.graph(g))
    1
    >>> store.close()
    """

    #: Graphs that may wait for the writer; past this, adding one waits for a free place.
    MAX_PENDING = 256

    def __init__(self, store: Store, *, on_write: Callable[[], None] = lambda: None,
                 background: bool = True) -> None:
        self.store = store
        self.failure: BaseException | None = None
        self._on_write = on_write
        self._queue: queue.Queue = queue.Queue(maxsize=self.MAX_PENDING)
        self._added = self._done = 0
        self._add_lock = threading.Lock()
        self._progress = threading.Condition()
        self._writer: threading.Thread | None = None
        if background:
            self._writer = threading.Thread(target=self._write_queued, name="grasp-store-writer",
                                            daemon=True)
            self._writer.start()

    @property
    def oxigraph(self) -> ox.Store:
        """The pyoxigraph store underneath (for the SPARQL endpoint's snapshots)."""
        return self.store.oxigraph

    def add_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        """Queue ``triples`` as the named graph ``graph``; write now if writes are synchronous."""
        self.add_graph_data(graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))

    def add_graph_data(self, graph: ox.NamedNode, data: bytes) -> None:
        """Queue the N-Triples ``data`` as the named graph ``graph`` (see :meth:`add_graph`)."""
        if self._writer is None or self.failure is not None:
            self.wait()
            self.store.add_graph_data(graph, data)
            self._written()
            return
        with self._add_lock:  # numbers and queue order agree
            self._added += 1
            self._queue.put((graph, data))

    def replace_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        """Make ``triples`` the whole content of ``graph`` (after the queued writes)."""
        self.wait()
        self.store.replace_graph(graph, triples)
        self._written()

    def graph(self, graph: ox.NamedNode) -> list[ox.Triple] | None:
        """Return the triples of ``graph`` once the writes queued before are done."""
        self.wait()
        return self.store.graph(graph)

    def select(self, text: str, *, default_graph: ox.NamedNode | None = None,
               bindings: Mapping[str, Term] | None = None) -> Iterator[ox.QuerySolution]:
        """Run a SELECT once the writes queued before are done."""
        self.wait()
        return self.store.select(text, default_graph=default_graph, bindings=bindings)

    def wait(self) -> None:
        """Return once every graph added before this call is written (or has failed)."""
        with self._progress:
            target = self._added
            self._progress.wait_for(lambda: self._done >= target)

    @property
    def pending(self) -> int:
        """How many added graphs are not written yet."""
        return self._added - self._done

    def close(self) -> None:
        """Write what is queued, stop the writer and release the store."""
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join()
        self.store.close()

    def _written(self) -> None:
        # A listener's error must not stop the writer (readers would wait for it forever),
        # nor turn a write that succeeded into an error for its caller.
        try:
            self._on_write()
        except Exception:  # logged; the write itself succeeded
            log.exception("a listener of store writes failed")

    def _write_queued(self) -> None:
        while (item := self._queue.get()) is not None:
            graph, data = item
            try:
                self.store.add_graph_data(graph, data)
            except Exception as error:  # kept, logged, and made visible: see the class docstring
                log.exception("writing %s to the store failed; writes are synchronous now",
                              graph.value)
                self.failure = error
            else:
                self._written()
            with self._progress:
                self._done += 1
                self._progress.notify_all()
