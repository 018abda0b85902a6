"""Assess a claims graph: validate, map texts to concepts, let the queries judge the levels.

The pipeline, top to bottom::

    claims graph ──► SHACL (claims.shacl.ttl) ──► readings (explicit, or mapped from text)
        ──► requirement-results.rq ──► level-results.rq ──► highest-level.rq ──► Assessment

Python decides no level: the three CONSTRUCT queries write the verdict as RDF into the
assessment's own graph, and :func:`describe` reads it back, for a new assessment and for a
stored one alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyoxigraph as ox
import rdflib

from grasp.claims import ClaimsGraph
from grasp.mapping import Reading
from grasp.reader import mapper_for
from grasp.namespaces import GRASP, ONTOLOGY_IRI, PROV_GENERATED_AT, PROV_USED, RDF_TYPE, grasp
from grasp.ontology import RULE_GRAPHS, Ontology
from grasp.queries import query
from grasp.store import EmbeddedStore
from grasp.validation import CLAIMS_SHAPES, ValidationReport, validate_graph

#: The passes that judge the levels, in order; each adds its CONSTRUCT result to the graph.
JUDGEMENT_QUERIES = ("requirement-results", "level-results", "highest-level")

#: How many assessments one in-memory workspace serves before it is replaced. The store keeps
#: every string and removed quad it has seen, so its queries slow down with use (from 6 to
#: 12 ms per assessment over 1,000 uses); a fresh copy of the ontology costs about 2 ms.
WORKSPACE_USES = 32

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDFS_SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


class InvalidClaims(ValueError):
    """The claims graph does not conform to the claims shapes; ``report`` says where."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(report.text())
        self.report = report


@dataclass(frozen=True)
class Requirement:
    """One requirement or prohibition of a level in one assessment, with its evidence."""

    concept: str
    prohibition: bool
    satisfied: bool
    evidence: tuple[int, ...]


@dataclass(frozen=True)
class LevelResult:
    """A level's status in one assessment (met, partial or unmet) and why."""

    level: str
    rank: int | None
    status: str
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True)
class ClaimResult:
    """A claim as Grasp read it: its text and the concepts it affirms or denies."""

    index: int
    text: str | None
    lang: str | None
    readings: tuple[dict, ...]


@dataclass(frozen=True)
class Assessment:
    """One assessment: who, when, the highest met level, every level's result, the claims."""

    iri: str
    subject: str
    created: str | None
    ontology_version: str | None
    level: str | None
    levels: tuple[LevelResult, ...]
    claims: tuple[ClaimResult, ...]
    triples: tuple[ox.Triple, ...] = field(default=(), repr=False)

    def to_json(self, ontology: Ontology, lang: str = "en") -> dict:
        """Return the assessment as the JSON of ``POST /assess``, labels in ``lang``."""
        from grasp.explanation import explain  # explanation reads these dataclasses

        ranks = {level.level: level.rank for level in self.levels}

        def level_ref(iri: str) -> dict:
            return {"iri": iri, "rank": ranks.get(iri), "label": ontology.label(iri, lang)}

        def rule(requirement: Requirement) -> dict:
            return {
                "concept": requirement.concept,
                "label": ontology.label(requirement.concept, lang),
                "satisfied": requirement.satisfied,
                "evidence": list(requirement.evidence),
            }

        return {
            "assessment": self.iri,
            "subject": self.subject,
            "created": self.created,
            "ontologyVersion": self.ontology_version,
            "level": level_ref(self.level) if self.level else None,
            "levels": [
                {
                    **level_ref(result.level),
                    "status": result.status,
                    "statusLabel": ontology.label(GRASP + result.status.capitalize(), lang),
                    "requirements": [rule(r) for r in result.requirements if not r.prohibition],
                    "violations": [rule(r) for r in result.requirements
                                   if r.prohibition and not r.satisfied],
                }
                for result in self.levels
            ],
            "claims": [
                {
                    "index": claim.index,
                    "text": claim.text,
                    "lang": claim.lang,
                    "concepts": [
                        {**reading, "label": ontology.label(reading["concept"], lang)}
                        for reading in claim.readings
                    ],
                }
                for claim in self.claims
            ],
            "unmapped": [claim.index for claim in self.claims if not claim.readings],
            "explanation": explain(self, ontology, lang),
        }


class Assessor:
    """Assess claims graphs against one loaded ontology (immutable; swap it on reload)."""

    def __init__(self, ontology: Ontology, *, learned_reader: bool = True) -> None:
        self.ontology = ontology
        self.mapper = mapper_for(ontology, learned=learned_reader)
        self._workspace_store: EmbeddedStore | None = None
        self._workspace_uses = 0

    def validate(self, claims: ClaimsGraph) -> ValidationReport:
        """Validate a claims graph against ``shapes/claims.shacl.ttl``."""
        return validate_graph(self._validation_triples(claims), CLAIMS_SHAPES)

    def assess(self, claims: ClaimsGraph, *, now: datetime | None = None) -> Assessment:
        """Validate, map and judge a claims graph; raise :class:`InvalidClaims` if it is invalid."""
        report = self.validate(claims)
        if not report.conforms:
            raise InvalidClaims(report)
        created = (now or datetime.now(timezone.utc)).isoformat()
        triples = list(claims.triples)
        triples += self._provenance(claims.assessment, created)
        triples += self._readings(claims)
        workspace = self._workspace()
        try:
            workspace.add_graph(claims.assessment, triples)
            for name in JUDGEMENT_QUERIES:
                # A CONSTRUCT repeats a template triple once per solution: keep one of each.
                judged = list(dict.fromkeys(workspace.oxigraph.query(
                    query(name),
                    default_graph=RULE_GRAPHS,
                    substitutions={ox.Variable("assessment"): claims.assessment},
                )))
                workspace.add_graph(claims.assessment, judged)
                triples += judged
            return describe(claims.assessment, dict.fromkeys(triples), self.ontology)
        finally:
            workspace.oxigraph.remove_graph(claims.assessment)

    def _workspace(self) -> EmbeddedStore:
        # An in-memory store that holds the ontology, lent to one assessment graph at a time
        # (each under its own name, so concurrent use is safe), replaced after WORKSPACE_USES.
        self._workspace_uses += 1
        if self._workspace_store is None or self._workspace_uses > WORKSPACE_USES:
            store = EmbeddedStore(None)
            store.oxigraph.extend(self.ontology.quads)
            self._workspace_store, self._workspace_uses = store, 1
        return self._workspace_store

    def _validation_triples(self, claims: ClaimsGraph) -> list[tuple]:
        # The claims plus the superclasses of the concepts they name: enough for the shapes
        # to tell a concept of the ontology from any other IRI, without the whole ontology.
        named = {t.object.value for t in claims.triples if t.predicate == grasp("concept")}
        closure = [
            ox.Triple(ox.NamedNode(concept), _RDFS_SUBCLASS_OF, ox.NamedNode(ancestor))
            for concept in named
            for ancestor in self.ontology.ancestors.get(concept, ())
        ]
        return [(_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object))
                for t in [*claims.triples, *closure]]

    def _provenance(self, assessment: ox.NamedNode, created: str) -> list[ox.Triple]:
        return [
            ox.Triple(assessment, PROV_GENERATED_AT,
                      ox.Literal(created, datatype=ox.NamedNode(_XSD + "dateTime"))),
            ox.Triple(assessment, PROV_USED, ox.NamedNode(_version_iri(self.ontology))),
        ]

    def _readings(self, claims: ClaimsGraph) -> list[ox.Triple]:
        by_claim: dict[ox.NamedNode, dict[str, ox.Term]] = {}
        person = None
        for t in claims.triples:
            if t.predicate == grasp("assesses"):
                person = t.object
            elif t.predicate in _CLAIM_FIELDS:
                by_claim.setdefault(t.subject, {})[_CLAIM_FIELDS[t.predicate]] = t.object
        triples = []
        for claim, fields in by_claim.items():
            if person is not None:
                triples.append(ox.Triple(claim, grasp("madeBy"), person))
            for number, reading in enumerate(self._read(fields)):
                node = ox.NamedNode(f"{claim.value}-reading-{number}")
                triples += _reading_triples(claim, node, reading)
        return triples

    def _read(self, fields: dict[str, ox.Term]) -> list[tuple[Reading, str]]:
        readings = []
        if "concept" in fields:
            confidence = float(fields["confidence"].value) if "confidence" in fields else 1.0
            stance = "affirms" if fields["stance"] == grasp("Affirms") else "denies"
            readings.append((Reading(fields["concept"].value, stance, confidence, "", -1, -1),
                             "explicit"))
        if "text" in fields:
            text = fields["text"]
            for reading in self.mapper.map(text.value, text.language or "en"):
                readings.append((reading, "indicator"))
        return readings


def describe(assessment: ox.NamedNode, triples: Iterable[ox.Triple],
             ontology: Ontology) -> Assessment | None:
    """Read an assessment back from the triples of its graph; None if they hold none.

    The verdict is already in the graph, written by the judgement queries: this only
    gathers it (ranks come from ``ontology``).
    """
    triples = tuple(triples)
    graph: dict[ox.Term, dict[ox.NamedNode, list[ox.Term]]] = {}
    for subject, predicate, value in triples:
        graph.setdefault(subject, {}).setdefault(predicate, []).append(value)

    def all_of(node, predicate: str | ox.NamedNode) -> list[ox.Term]:
        key = grasp(predicate) if isinstance(predicate, str) else predicate
        return graph.get(node, {}).get(key, [])

    def one(node, predicate: str | ox.NamedNode) -> ox.Term | None:
        values = all_of(node, predicate)
        return values[0] if values else None

    if one(assessment, "assesses") is None:
        return None
    ranks = {level.iri: level.rank for level in ontology.levels}
    index_of = {claim: int(one(claim, "index").value) for claim in all_of(assessment, "hasClaim")}
    levels = []
    for result in all_of(assessment, "levelResult"):
        level = one(result, "level").value
        requirements = tuple(sorted(
            (Requirement(
                concept=one(rr, "concept").value,
                prohibition=one(rr, "prohibition").value == "true",
                satisfied=one(rr, "satisfied").value == "true",
                evidence=tuple(sorted({index_of[c] for c in all_of(rr, "evidence") if c in index_of})),
            ) for rr in all_of(result, "requirementResult")),
            key=lambda r: (r.prohibition, r.concept),
        ))
        status = one(result, "status").value.rpartition("#")[2].lower()
        levels.append(LevelResult(level, ranks.get(level), status, requirements))
    levels.sort(key=lambda r: (r.rank is None, r.rank or 0, r.level))
    claims = []
    for claim, index in sorted(index_of.items(), key=lambda item: item[1]):
        text = one(claim, "text")
        readings = sorted((_reading_json(reading, one) for reading in all_of(claim, "hasReading")),
                          key=lambda r: (r.get("span", [-1])[0], r["concept"]))
        claims.append(ClaimResult(index, text.value if text else None,
                                  text.language if text else None, tuple(readings)))
    created, version = one(assessment, PROV_GENERATED_AT), one(assessment, PROV_USED)
    highest = one(assessment, "highestLevel")
    return Assessment(
        iri=assessment.value,
        subject=one(assessment, "assesses").value,
        created=created.value if created else None,
        ontology_version=version.value if version else None,
        level=highest.value if highest else None,
        levels=tuple(levels),
        claims=tuple(claims),
        triples=triples,
    )


def _reading_json(reading: ox.NamedNode, one) -> dict:
    confidence, method = one(reading, "confidence"), one(reading, "method")
    indicator, start, end = (one(reading, name) for name in ("matchedIndicator", "spanStart", "spanEnd"))
    found = {
        "concept": one(reading, "concept").value,
        "stance": one(reading, "stance").value.rpartition("#")[2].lower(),
        "matched": indicator.value if indicator else None,
        "method": method.value if method else None,
        "confidence": float(confidence.value) if confidence else None,
    }
    if start is not None and end is not None:
        found["span"] = [int(start.value), int(end.value)]
    return found


def _reading_triples(claim: ox.NamedNode, node: ox.NamedNode,
                     reading_and_method: tuple[Reading, str]) -> list[ox.Triple]:
    reading, method = reading_and_method
    triples = [
        ox.Triple(claim, grasp("hasReading"), node),
        ox.Triple(node, RDF_TYPE, grasp("Reading")),
        ox.Triple(node, grasp("concept"), ox.NamedNode(reading.concept)),
        ox.Triple(node, grasp("stance"), grasp(reading.stance.capitalize())),
        ox.Triple(node, grasp("confidence"),
                  ox.Literal(f"{reading.confidence:.2f}", datatype=ox.NamedNode(_XSD + "decimal"))),
        ox.Triple(node, grasp("method"), ox.Literal(method)),
    ]
    if method == "indicator":
        integer = ox.NamedNode(_XSD + "integer")
        triples += [
            ox.Triple(node, grasp("matchedIndicator"), ox.Literal(reading.indicator)),
            ox.Triple(node, grasp("spanStart"), ox.Literal(str(reading.start), datatype=integer)),
            ox.Triple(node, grasp("spanEnd"), ox.Literal(str(reading.end), datatype=integer)),
        ]
    return triples


_CLAIM_FIELDS = {
    grasp("text"): "text",
    grasp("concept"): "concept",
    grasp("stance"): "stance",
    grasp("confidence"): "confidence",
}


def _version_iri(ontology: Ontology) -> str:
    return ontology.version if ":" in ontology.version else ONTOLOGY_IRI


def _rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
