"""The running state of Grasp: settings, the store, and the ontology in use.

The HTTP API and the CLI both build one :class:`Runtime`. The ontology can be swapped while
requests run (:meth:`Runtime.reload`): a request takes ``runtime.assessor`` once and uses
that snapshot throughout, so it never sees half of an old ontology and half of a new one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from grasp.assessment import Assessment, Assessor
from grasp.claims import ClaimsGraph
from grasp.config import Settings
from grasp.ontology import INFERRED_GRAPH, ONTOLOGY_GRAPH, OntologyError, load_ontology
from grasp.reload import OntologyWatcher
from grasp.store import EmbeddedStore, Store, WriteBehind

log = logging.getLogger("grasp")


class Runtime:
    """Settings, store and the current :class:`Assessor`; open with :meth:`open`."""

    def __init__(self, settings: Settings, store: Store, assessor: Assessor) -> None:
        self.settings = settings
        self.assessor = assessor
        self._reload_lock = threading.Lock()
        self._on_write: list[Callable[[], None]] = []
        # Every write goes through here, so readers wait for it and on_write hears of it.
        self.store = WriteBehind(store, on_write=self._written, background=settings.write_behind)

    @classmethod
    def open(cls, settings: Settings, *, store: Store | None = None) -> Runtime:
        """Load and check the ontology, open the store and publish the ontology in it.

        Raises :class:`grasp.ontology.OntologyError` (with the report) on a broken ontology,
        before the store is touched.
        """
        assessor = Assessor(load_ontology(settings.ontology_paths, reasoner=settings.reasoner),
                            learned_reader=settings.reader)
        store = store or EmbeddedStore(settings.store)
        _publish(store, assessor)
        return cls(settings, store, assessor)

    @property
    def ontology(self):
        """The ontology in use now."""
        return self.assessor.ontology

    def on_write(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every write to the store (SPARQL snapshots follow it)."""
        self._on_write.append(callback)

    def assess(self, claims: ClaimsGraph, *, save: bool = True) -> Assessment:
        """Assess a claims graph and, with ``save``, store it as one named graph.

        With ``GRASP_WRITE_BEHIND`` (the default) the write may end after this returns; any
        read through :attr:`store` waits for it.
        """
        assessment = self.assessor.assess(claims)
        if save:
            self.store.add_graph(claims.assessment, assessment.triples)
        return assessment

    def reload(self) -> Assessor:
        """Load the ontology again and swap it in; on any error keep the one in use and raise."""
        with self._reload_lock:
            try:
                assessor = Assessor(load_ontology(self.settings.ontology_paths,
                                                  reasoner=self.settings.reasoner),
                                    learned_reader=self.settings.reader)
            except OntologyError as error:
                log.error("ontology reload refused; %s stays in use:\n%s",
                          self.ontology.version, error)
                raise
            _publish(self.store, assessor)
            self.assessor = assessor
            log.info("ontology %s loaded from %s", assessor.ontology.version,
                     ", ".join(map(str, assessor.ontology.sources)))
            return assessor

    def watch(self) -> OntologyWatcher:
        """Start reloading whenever the ontology files change; stop the watcher to end it."""
        watcher = OntologyWatcher(self.ontology.sources, on_change=self.reload)
        watcher.start()
        return watcher

    def close(self) -> None:
        """Write what is pending and release the store."""
        self.store.close()

    def _written(self) -> None:
        for callback in self._on_write:
            callback()


def _publish(store: Store, assessor: Assessor) -> None:
    """Put the ontology in use, and its inferred hierarchy, in the store's named graphs."""
    store.replace_graph(ONTOLOGY_GRAPH, assessor.ontology.triples)
    store.replace_graph(INFERRED_GRAPH, assessor.ontology.inferred)
