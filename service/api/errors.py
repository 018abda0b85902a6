"""One place that turns errors into HTTP answers (RFC 9457 problem details).

Every refusal names what is wrong: the field, the position in the body, or the SHACL
violations. An unexpected error is a 500 with no detail (a traceback could quote a file).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from grasp.assessment import InvalidClaims
from grasp.claims import InputError, MalformedInput
from grasp.namespaces import compact

log = logging.getLogger("grasp.api")

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """An HTTP refusal with a status, a title and plain-words detail."""

    def __init__(self, status: int, title: str, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    """Return a problem-details response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def install_error_handlers(app: FastAPI) -> None:
    """Map Grasp's errors, and FastAPI's, to problem-details answers."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> JSONResponse:
        return problem(error.status, error.title, error.detail, **error.extra)

    @app.exception_handler(MalformedInput)
    async def _malformed(request: Request, error: MalformedInput) -> JSONResponse:
        where = {k: v for k, v in (("line", error.line), ("column", error.column)) if v}
        position = f" (line {error.line}, column {error.column})" if error.line else ""
        return problem(400, "Malformed request body", error.message + position,
                       field=error.field, **where)

    @app.exception_handler(InputError)
    async def _input(request: Request, error: InputError) -> JSONResponse:
        return problem(422, "Invalid request", f"{error.field}: {error.message}",
                       field=error.field)

    @app.exception_handler(InvalidClaims)
    async def _invalid_claims(request: Request, error: InvalidClaims) -> JSONResponse:
        violations = [
            {
                "focus": v.focus,
                "field": _field(v.focus, v.path),
                "path": v.path,
                "value": v.value,
                "message": v.message,
                "shape": v.shape,
            }
            for v in error.report.violations
        ]
        detail = "; ".join(
            f"{v['field']}: {v['message']}" + (f" (value: {compact(v['value'])})" if v["value"] else "")
            for v in violations
        )
        return problem(422, "The claims do not conform to the claims shapes", detail,
                       violations=violations)

    @app.exception_handler(ValidationError)
    @app.exception_handler(RequestValidationError)
    async def _request_validation(request: Request, error) -> JSONResponse:
        errors = [
            {"field": ".".join(str(part) for part in e["loc"] if part != "body") or "body",
             "message": e["msg"]}
            for e in error.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, "Invalid request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(error.status_code, str(error.detail), str(error.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, "Internal server error", "The error was logged.")


def _field(focus: str, path: str | None) -> str:
    """Name the JSON field a SHACL violation points at: ``claims[2].stance``."""
    name = compact(path).partition(":")[2] if path and path.startswith("http") else None
    if "#claim-" in focus:
        claim = f"claims[{focus.rpartition('#claim-')[2]}]"
        return f"{claim}.{name}" if name else claim
    if name == "hasClaim":
        return "claims"
    if name == "assesses":
        return "subject"
    return name or "body"
