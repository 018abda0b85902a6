"""The running state of Grasp: settings, the store, and the ontology in use.

The HTTP API and the CLI both build one :class:`Runtime`. The ontology can be swapped while
requests run (:meth:`Runtime.reload`): a request takes ``runtime.assessor`` once and uses
that snapshot throughout, so it never sees half of an old ontology and half of a new one.
"""

from __future__ import annotations

import logging
import threading

from grasp.assessment import Assessment, Assessor
from grasp.claims import ClaimsGraph
from grasp.config import Settings
from grasp.ontology import ONTOLOGY_GRAPH, load_ontology
from grasp.store import EmbeddedStore, Store

log = logging.getLogger("grasp")


class Runtime:
    """Settings, store and the current :class:`Assessor`; open with :meth:`open`."""

    def __init__(self, settings: Settings, store: Store, assessor: Assessor) -> None:
        self.settings = settings
        self.store = store
        self.assessor = assessor
        self._reload_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, *, store: Store | None = None) -> Runtime:
        """Load and check the ontology, open the store and publish the ontology in it.

        Raises :class:`grasp.ontology.OntologyError` (with the report) on a broken ontology,
        before the store is touched.
        """
        assessor = Assessor(load_ontology(settings.ontology_paths))
        store = store or EmbeddedStore(settings.store)
        store.replace_graph(ONTOLOGY_GRAPH, assessor.ontology.triples)
        return cls(settings, store, assessor)

    @property
    def ontology(self):
        """The ontology in use now."""
        return self.assessor.ontology

    def assess(self, claims: ClaimsGraph, *, save: bool = True) -> Assessment:
        """Assess a claims graph and, with ``save``, store it as one named graph."""
        assessment = self.assessor.assess(claims)
        if save:
            self.store.add_graph(claims.assessment, assessment.triples)
        return assessment

    def reload(self) -> Assessor:
        """Load the ontology again and swap it in; on any error keep the one in use and raise."""
        with self._reload_lock:
            assessor = Assessor(load_ontology(self.settings.ontology_paths))
            self.store.replace_graph(ONTOLOGY_GRAPH, assessor.ontology.triples)
            self.assessor = assessor
            log.info("ontology %s loaded", assessor.ontology.version)
            return assessor

    def close(self) -> None:
        """Release the store."""
        self.store.close()
