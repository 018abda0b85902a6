"""Operator endpoints: reload the ontology. Off unless ``GRASP_ADMIN_TOKEN`` is set."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request

from grasp.api.errors import Problem
from grasp.api.routes import runtime_of
from grasp.ontology import OntologyError

router = APIRouter(prefix="/admin", tags=["admin"])


def require_admin(request: Request) -> None:
    """Refuse unless the request carries the admin token as a Bearer token."""
    token = runtime_of(request).settings.admin_token
    if not token:
        raise Problem(404, "Not found", "Admin endpoints are off: set GRASP_ADMIN_TOKEN.")
    given = request.headers.get("authorization", "")
    scheme, _, credentials = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(credentials.strip(), token):
        raise Problem(401, "Unauthorized", "Send the admin token as 'Authorization: Bearer …'.")


@router.post("/reload", summary="Reload the ontology from its files")
def reload(request: Request) -> dict:
    """Load, check and swap in the ontology; a broken edit is refused (422) with its report,
    and the ontology in use keeps serving."""
    require_admin(request)
    runtime = runtime_of(request)
    try:
        assessor = runtime.reload()
    except OntologyError as error:
        raise Problem(422, "The ontology was not reloaded", str(error),
                      version=runtime.ontology.version) from None
    return {"reloaded": True, "version": assessor.ontology.version,
            "levels": len(assessor.ontology.levels), "concepts": len(assessor.ontology.concepts)}
