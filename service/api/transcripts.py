"""Assess a chat transcript: ``POST /assess/transcript``, and the function the CLI shares.

A transcript is a chat export in the seed's format (Obsidian callouts ``>[!nexus_user]`` and
``>[!nexus_agent]``, see :mod:`grasp.transcript`). Mis-decoded text is repaired first. Only
the user's own turns become claims: what the assistant says about the user is not evidence.
Each claim is linked to the message it came from with ``prov:wasDerivedFrom``, so a stored
assessment shows where every claim was said.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from grasp.api.errors import Problem
from grasp.api.routes import answer_language, read_body, runtime_of
from grasp.claims import ClaimsGraph, claim_iri
from grasp.transcript import (PROV_WAS_DERIVED_FROM, claims_from_transcript, parse_transcript,
                              user_claims)

router = APIRouter()

#: Media types a transcript may be sent as.
TRANSCRIPT_TYPES = ("text/markdown", "text/plain")


_TRANSCRIPT_BODY = {
    "requestBody": {
        "required": True,
        "content": {media: {"schema": {"type": "string"}} for media in TRANSCRIPT_TYPES},
    }
}


def message_links(claims: ClaimsGraph) -> dict[str, str]:
    """Return, per claim IRI, the IRI of the message it was derived from."""
    return {t.subject.value: t.object.value for t in claims.triples
            if t.predicate == PROV_WAS_DERIVED_FROM}


@router.post("/assess/transcript", status_code=201, openapi_extra=_TRANSCRIPT_BODY,
             tags=["assess"], summary="Assess the user's turns of a chat transcript")
async def assess_transcript(
    request: Request,
    subject: str = Query(..., min_length=1, max_length=2000,
                         description="Who the user of the transcript is (a name or an IRI)."),
) -> JSONResponse:
    """Assess the user's own turns of a chat export (text/markdown or text/plain, UTF-8).

    Answers 201 with the same assessment as ``POST /assess``, plus ``messages``: for each
    claim, the message it came from (IRI, export UID, time).
    """
    runtime = runtime_of(request)
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media not in TRANSCRIPT_TYPES:
        raise Problem(415, "Unsupported media type",
                      f"Send the transcript as one of: {', '.join(TRANSCRIPT_TYPES)}.",
                      field="Content-Type")
    body = await read_body(request, runtime.settings.max_body_bytes)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Problem(400, "Malformed request body",
                      f"The transcript is not UTF-8 (byte {error.start}).", field="body") from None
    claims = claims_from_transcript(text, subject=subject, base_iri=runtime.settings.base_iri)
    assessor = runtime.assessor
    assessment = runtime.assess(claims)
    lang = answer_language(request, assessment)
    answer = assessment.to_json(assessor.ontology, lang)
    answer["messages"] = _messages_json(claims, text)
    return JSONResponse(
        answer,
        status_code=201,
        headers={"Location": f"/assessments/{assessment.iri.rpartition('/')[2]}",
                 "Content-Language": lang},
    )


def _messages_json(claims: ClaimsGraph, text: str) -> list[dict]:
    links = message_links(claims)
    messages = [m for m in user_claims(parse_transcript(text)) if m.text.strip()]
    return [
        {"claim": index, "message": links[claim_iri(claims.assessment, index).value],
         "uid": message.uid, "timestamp": message.timestamp}
        for index, message in enumerate(messages)
    ]
