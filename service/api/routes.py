"""The REST resources: assess, assessments, levels, concepts, the ontology, health.

Handlers are thin: read the request, call the same functions as the CLI, choose a format.
"""

from __future__ import annotations

import re
from itertools import islice

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from grasp import __version__
from grasp.api.errors import Problem
from grasp.api.negotiation import RDF_MEDIA_TYPES, choose, preferred_language
from grasp.assessment import Assessment, describe
from grasp.claims import AssessRequest, InputFormat, input_format_of, read_claims
from grasp.namespaces import PREFIXES
from grasp.ontology import ONTOLOGY_GRAPH
from grasp.queries import query
from grasp.runtime import Runtime

router = APIRouter()

_ASSESSMENT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

_ASSESS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            InputFormat.JSON.value: {"schema": AssessRequest.model_json_schema(
                ref_template="#/components/schemas/{model}")},
            InputFormat.TURTLE.value: {"schema": {"type": "string"}},
            InputFormat.JSON_LD.value: {"schema": {"type": "object"}},
            InputFormat.RDF_XML.value: {"schema": {"type": "string"}},
        },
    }
}


def runtime_of(request: Request) -> Runtime:
    """Return the runtime the app was started with."""
    return request.app.state.runtime


async def read_body(request: Request, limit: int) -> bytes:
    """Read the request body, refusing (413) anything larger than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Problem(413, "Request body too large", f"The body is {declared} bytes; "
                      f"at most {limit} are accepted (GRASP_MAX_BODY_BYTES).")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Problem(413, "Request body too large",
                          f"The body exceeds {limit} bytes (GRASP_MAX_BODY_BYTES).")
    return bytes(body)


def answer_language(request: Request, assessment: Assessment) -> str:
    """Answer in the Accept-Language the client asked for; without one, in the language
    most of its claims are written in."""
    header = request.headers.get("accept-language")
    if header:
        return preferred_language(header)
    langs = [claim.lang.split("-")[0] for claim in assessment.claims if claim.lang]
    return preferred_language(max(set(langs), key=langs.count) if langs else None)


@router.post("/assess", status_code=201, openapi_extra=_ASSESS_BODY, tags=["assess"],
             summary="Assess a person's claims")
async def assess(request: Request) -> JSONResponse:
    """Assess the claims in the body (JSON, Turtle, JSON-LD or RDF/XML) and store the result.

    Answers 201 with the assessment: the highest met level, every level's status with the
    claims behind each requirement, and how each claim was read. Labels follow
    ``Accept-Language`` (en, ru).
    """
    runtime = runtime_of(request)
    input_format = input_format_of(request.headers.get("content-type"))
    if input_format is None:
        accepted = ", ".join(f.value for f in InputFormat)
        raise Problem(415, "Unsupported media type",
                      f"Send the claims as one of: {accepted}.", field="Content-Type")
    body = await read_body(request, runtime.settings.max_body_bytes)
    claims = read_claims(body, input_format, base_iri=runtime.settings.base_iri)
    assessor = runtime.assessor
    assessment = runtime.assess(claims)
    lang = answer_language(request, assessment)
    return JSONResponse(
        assessment.to_json(assessor.ontology, lang),
        status_code=201,
        headers={"Location": f"/assessments/{_assessment_id(assessment.iri)}",
                 "Content-Language": lang},
    )


@router.get("/assessments", tags=["assessments"], summary="List stored assessments")
async def list_assessments(
    request: Request,
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> dict:
    """List stored assessments, newest first, ``limit`` at a time from ``offset``."""
    runtime = runtime_of(request)
    lang = preferred_language(request.headers.get("accept-language"))
    rows = runtime.store.select(query("assessments"))
    page = list(islice(rows, offset, offset + limit + 1))
    items = [
        {
            "assessment": row["assessment"].value,
            "id": _assessment_id(row["assessment"].value),
            "subject": row["subject"].value,
            "created": row["created"].value,
            "level": _level_ref(runtime, row["level"].value, lang) if row["level"] else None,
        }
        for row in page[:limit]
    ]
    more = len(page) > limit
    return {"items": items, "limit": limit, "offset": offset,
            "next": f"/assessments?limit={limit}&offset={offset + limit}" if more else None}


@router.get("/assessments/{assessment_id}", tags=["assessments"],
            summary="One stored assessment (JSON, or RDF by Accept)")
async def get_assessment(request: Request, assessment_id: str) -> Response:
    """Return a stored assessment: JSON by default, its named graph as RDF by ``Accept``."""
    runtime = runtime_of(request)
    if not _ASSESSMENT_ID.match(assessment_id):
        raise Problem(404, "Not found", f"No assessment '{assessment_id}'.")
    iri = ox.NamedNode(f"{runtime.settings.base_iri}assessment/{assessment_id}")
    media = choose(request.headers.get("accept"), ["application/json", *RDF_MEDIA_TYPES])
    if media is None:
        raise _not_acceptable(["application/json", *RDF_MEDIA_TYPES])
    if media in RDF_MEDIA_TYPES:
        triples = runtime.store.graph(iri)
        if triples is None:
            raise Problem(404, "Not found", f"No assessment '{assessment_id}'.")
        return _rdf_response(triples, media)
    assessment = describe(iri, runtime.store.graph(iri) or [], runtime.ontology)
    if assessment is None:
        raise Problem(404, "Not found", f"No assessment '{assessment_id}'.")
    lang = answer_language(request, assessment)
    return JSONResponse(assessment.to_json(runtime.ontology, lang),
                        headers={"Content-Language": lang})


@router.get("/levels", tags=["ontology"], summary="The levels and their rules")
async def levels(request: Request) -> list[dict]:
    """Return the levels in rank order with their own requirements and prohibitions."""
    ontology = runtime_of(request).ontology
    lang = preferred_language(request.headers.get("accept-language"))

    def concepts(level, prohibition: bool) -> list[dict]:
        return [{"concept": r.concept, "label": ontology.label(r.concept, lang)}
                for r in level.rules if r.prohibition is prohibition]

    return [
        {
            "iri": level.iri,
            "rank": level.rank,
            "label": ontology.label(level.iri, lang),
            "definition": ontology.definition(level.iri, lang),
            "requires": concepts(level, False),
            "forbids": concepts(level, True),
            "buildsOn": list(level.builds_on),
        }
        for level in ontology.levels
    ]


@router.get("/concepts", tags=["ontology"], summary="The concepts claims can bear on")
async def concepts(request: Request) -> list[dict]:
    """Return every concept with its label, definition, superclasses and indicator phrases."""
    ontology = runtime_of(request).ontology
    lang = preferred_language(request.headers.get("accept-language"))
    indicators: dict[str, dict[str, list[str]]] = {}
    for indicator in ontology.indicators:
        indicators.setdefault(indicator.concept, {}).setdefault(indicator.lang, []).append(
            indicator.phrase)
    return [
        {
            "iri": concept,
            "label": ontology.label(concept, lang),
            "definition": ontology.definition(concept, lang),
            "parents": list(parents),
            "indicators": indicators.get(concept, {}),
        }
        for concept, parents in sorted(ontology.concepts.items())
    ]


@router.get("/ontology", tags=["ontology"], summary="The ontology in use")
async def get_ontology(request: Request) -> Response:
    """Return the ontology in use as Turtle, RDF/XML, JSON-LD or N-Triples (by ``Accept``),
    or, for ``application/json``, its version and sources."""
    runtime = runtime_of(request)
    ontology = runtime.ontology
    # JSON right after the default, so that "application/json" is not read as JSON-LD.
    turtle, *others = RDF_MEDIA_TYPES
    offered = [turtle, "application/json", *others]
    media = choose(request.headers.get("accept"), offered)
    if media is None:
        raise _not_acceptable(offered)
    headers = {"Grasp-Ontology-Version": ontology.version}
    if media == "application/json":
        return JSONResponse({"iri": ONTOLOGY_GRAPH.value, "version": ontology.version,
                             "sources": [str(p) for p in ontology.sources],
                             "levels": len(ontology.levels), "concepts": len(ontology.concepts)},
                            headers=headers)
    return _rdf_response(ontology.triples, media, headers)


@router.get("/health", tags=["service"], summary="Liveness and the versions in use")
async def health(request: Request) -> JSONResponse:
    """Say the service is up, with the versions of Grasp and of the ontology in use.

    Answers 503 once a write to the store has failed: from then on writes are synchronous,
    but an assessment answered before the failure may be missing.
    """
    runtime = runtime_of(request)
    failure = runtime.store.failure
    return JSONResponse(
        {
            "status": "ok" if failure is None else "store write failed",
            "version": __version__,
            "ontologyVersion": runtime.ontology.version,
            "pendingWrites": runtime.store.pending,
            **({"storeError": str(failure)} if failure is not None else {}),
        },
        status_code=200 if failure is None else 503,
    )


def _level_ref(runtime: Runtime, iri: str, lang: str) -> dict:
    rank = next((level.rank for level in runtime.ontology.levels if level.iri == iri), None)
    return {"iri": iri, "rank": rank, "label": runtime.ontology.label(iri, lang)}


def _assessment_id(iri: str) -> str:
    return iri.rpartition("/")[2]


def _rdf_response(triples, media: str, headers: dict | None = None) -> Response:
    body = ox.serialize(list(triples), format=RDF_MEDIA_TYPES[media], prefixes=PREFIXES)
    return Response(body, media_type=media, headers=headers)


def _not_acceptable(offered: list[str]) -> Problem:
    return Problem(406, "Not acceptable", "This resource is available as: " + ", ".join(offered))
