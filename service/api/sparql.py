"""The SPARQL 1.1 Protocol endpoint (/sparql), the Graph Store read side (/graphs), the query page.

Every user query is checked by :mod:`grasp.sparql.guard` and answered by a worker process
of :class:`grasp.sparql.executor.QueryPool`; none runs in this process. A repeated query
is answered from :class:`grasp.sparql.cache.AnswerCache` (serialised answers, dropped
whole when the data changes) after the same check. Updates, when an operator enables them
with a token, run in this process's store, the only writer.

Wiring, in the application factory::

    endpoint = SparqlEndpoint(settings)
    app.include_router(endpoint.router)
    # in the lifespan, once the store is open:
    #     await endpoint.start(writer_store=runtime.store.oxigraph, pending_writes=runtime.store)
#     ...  await endpoint.close()
    # after each write to the store:  endpoint.data_changed()
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from grasp.config import PROJECT_ROOT, Settings
from grasp.sparql.cache import AnswerCache, LruCache
from grasp.sparql.description import service_description
from grasp.sparql.executor import QueryAnswer, QueryError, QueryJob, QueryPool
from grasp.sparql.guard import CheckedQuery, QueryRefused, check_query, check_update
from grasp.sparql.negotiation import choose_format
from grasp.sparql.results import BOOLEAN_TYPES, GRAPH_TYPES, SOLUTION_TYPES

STATIC = Path(__file__).parent / "static"
#: The query page's files, by the name they are served under.
ASSETS = {
    "query.js": "text/javascript; charset=utf-8",
    "query.css": "text/css; charset=utf-8",
}
PROBLEM_JSON = "application/problem+json"
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
#: Longest query text whose check result is remembered (longer texts are checked each time),
#: and longest query string or form body whose parse is.
CHECK_CACHE_CHARS = 8 * 1024


class SparqlError(Exception):
    """A refused SPARQL request: its HTTP status and a message in plain words."""

    def __init__(self, status: int, detail: str, *, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


class SparqlEndpoint:
    """The endpoint's state: the worker pool, the writer store, the examples; and its router.

    ``cache_entries`` and ``cache_bytes`` bound the cache of answers; ``cache_bytes=0``
    turns it off.
    """

    def __init__(
        self,
        settings: Settings,
        writer_store=None,
        *,
        snapshot_root: Path | None = None,
        examples_dir: Path | None = None,
        cache_entries: int = 4096,
        cache_bytes: int = 64 * 1024 * 1024,
    ):
        self.settings = settings
        #: The API process's read-write pyoxigraph Store: source of snapshots, target of updates.
        self.writer_store = writer_store
        store_path = Path(settings.store)
        self.pool = QueryPool(
            writer_store,
            # Beside the store, so the snapshot's hard links stay on one file system.
            snapshot_root=snapshot_root or store_path.parent / f"{store_path.name}.sparql-snapshots",
            workers=settings.query_workers,
            timeout=settings.query_timeout,
            max_rows=settings.query_max_rows,
        )
        self.answers = AnswerCache(max_entries=cache_entries, max_bytes=cache_bytes)
        # The check is a pure function of the text, so its verdict on a text can be reused;
        # refusals raise and are not remembered, so they are checked again each time.
        self._checked: LruCache[CheckedQuery] = LruCache(
            max_entries=1024, max_bytes=1024 * CHECK_CACHE_CHARS
        )
        self.examples = load_examples(examples_dir or PROJECT_ROOT / "queries" / "examples")
        self._update_lock = asyncio.Lock()
        self.pending_writes = None
        self.router = sparql_router(self)

    async def start(self, writer_store=None, *, pending_writes=None) -> None:
        """Start the query workers (call from the application's lifespan).

        ``writer_store`` is the API process's open pyoxigraph ``Store``, if it was not
        known when the endpoint was built. ``pending_writes`` (a
        :class:`grasp.store.WriteBehind`) holds writes not yet in it: every query and
        update waits for those, so it sees what the REST side has answered for.
        """
        self.pending_writes = pending_writes
        if writer_store is not None:
            self.writer_store = self.pool.store = writer_store
        if self.writer_store is None:
            raise RuntimeError("the SPARQL endpoint needs the writer store to start")
        await self.pool.start()

    async def close(self) -> None:
        """Stop the query workers and delete their snapshots."""
        await self.pool.close()

    def data_changed(self) -> None:
        """Tell the endpoint the store was written; the next query sees the change."""
        self.pool.data_changed()

    def check(self, text: str) -> CheckedQuery:
        """Check a query text, or raise :class:`SparqlError` (400) saying why it is refused."""
        checked = self._checked.get(text)
        if checked is not None:
            return checked
        try:
            checked = check_query(text)
        except QueryRefused as refusal:
            raise SparqlError(400, str(refusal)) from None
        if len(text) <= CHECK_CACHE_CHARS:
            self._checked.put(text, checked, size=len(text))
        return checked

    async def settle(self) -> None:
        """Wait until the writes the REST side has answered for are in the store."""
        if self.pending_writes is not None and self.pending_writes.pending:
            await asyncio.to_thread(self.pending_writes.wait)

    async def answer(self, job: QueryJob) -> QueryAnswer:
        """Answer a checked job from the cache, or from a worker (and remember the answer)."""
        await self.settle()
        cached = self.answers.get(job, self.pool.data_version)
        if cached is not None:
            return cached
        try:
            answer = await self.pool.run(job)
        except QueryError as error:
            raise SparqlError(error.status, str(error)) from None
        # The version now, not at the start: a write while the query ran makes it stale.
        self.answers.put(job, answer, self.pool.data_version)
        return answer

    async def query(self, request: Request, text: str, params: dict[str, list[str]]) -> Response:
        """Check, run and serialise one query."""
        checked = self.check(text)
        offers = {"SELECT": SOLUTION_TYPES, "ASK": BOOLEAN_TYPES}.get(checked.form, GRAPH_TYPES)
        media_type = _choose(params, request, offers)
        default_graphs = params.get("default-graph-uri")
        named_graphs = params.get("named-graph-uri")
        # The protocol's dataset replaces the query's; a query's FROM replaces the union.
        protocol_dataset = default_graphs is not None or named_graphs is not None
        job = QueryJob(
            query=checked.text,
            form=checked.form,
            media_type=media_type,
            base_iri=_endpoint_iri(request),
            union_default_graph=not protocol_dataset and not checked.has_dataset_clause,
            # Tuples: the job keys the cache of answers.
            default_graphs=tuple(default_graphs or ()) if protocol_dataset else None,
            named_graphs=tuple(named_graphs or ()) if protocol_dataset else None,
        )
        answer = await self.answer(job)
        return Response(answer.body, media_type=answer.media_type, headers={"Vary": "Accept"})

    async def update(self, request: Request, text: str, params: dict[str, list[str]]) -> Response:
        """Run one update in the writer store, if the request carries the operator's token."""
        token = self.settings.update_token
        if not token:
            raise SparqlError(403, "SPARQL Update is disabled on this endpoint (read-only)")
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
            raise SparqlError(
                401, "SPARQL Update needs the operator's Bearer token",
                headers={"WWW-Authenticate": 'Bearer realm="grasp-sparql-update"'},
            )
        if "using-graph-uri" in params or "using-named-graph-uri" in params:
            raise SparqlError(
                400, "using-graph-uri and using-named-graph-uri are not supported; "
                "write USING or WITH in the update instead"
            )
        try:
            checked = check_update(text)
        except QueryRefused as refusal:
            raise SparqlError(400, str(refusal)) from None
        await self.settle()
        async with self._update_lock:
            try:
                # Not killable: pyoxigraph has no cancellation, and only this process may
                # write. Updates come from the operator only (the token), never the public.
                await asyncio.to_thread(
                    self.writer_store.update, checked.text, base_iri=_endpoint_iri(request)
                )
            except SyntaxError as error:
                raise SparqlError(400, f"syntax error: {error}") from None
            except (RuntimeError, ValueError) as error:
                # An update that is well formed but cannot apply, e.g. CLEAR of a missing graph.
                raise SparqlError(400, f"the update was not applied: {error}") from None
            finally:
                self.data_changed()
        return Response(status_code=204)


def sparql_router(endpoint: SparqlEndpoint) -> APIRouter:
    """Return the routes of ``endpoint``: /sparql, its page and assets, and /graphs."""
    router = APIRouter(tags=["SPARQL"])

    async def guarded(call) -> Response:
        try:
            return await call
        except SparqlError as error:
            return _problem(error.status, error.detail, error.headers)

    async def sparql(request: Request) -> Response:
        if request.method == "POST":
            return await guarded(_dispatch_post(request, endpoint))
        return await guarded(_dispatch_get(request, endpoint))

    # A plain Starlette route: FastAPI's dependency solving and validation cost about as
    # much as answering a cached query, and this handler reads the request itself anyway.
    router.add_route("/sparql", sparql, methods=["GET", "POST"], include_in_schema=False)

    @router.get("/sparql/examples", summary="Example queries for the query page")
    async def sparql_examples() -> JSONResponse:
        return JSONResponse(endpoint.examples)

    @router.get("/sparql/assets/{name}", include_in_schema=False)
    async def sparql_asset(name: str) -> Response:
        if name not in ASSETS:
            return _problem(404, f"no asset {name}")
        return Response((STATIC / name).read_bytes(), media_type=ASSETS[name])

    @router.get("/graphs", summary="Graph Store Protocol: read one graph")
    async def graph_get(request: Request) -> Response:
        return await guarded(_read_graph(request, endpoint))

    return router


async def _dispatch_get(request: Request, endpoint: SparqlEndpoint) -> Response:
    """Answer GET /sparql: a query, or without one the description or the query page."""
    params = _params(_query_string(request))
    if "update" in params:
        raise SparqlError(405, "SPARQL Update must be sent with POST", headers={"Allow": "POST"})
    if "query" in params:
        return await endpoint.query(request, _single(params, "query"), params)
    return _describe(request, endpoint)


async def _dispatch_post(request: Request, endpoint: SparqlEndpoint) -> Response:
    """Tell a query from an update by the request's media type (Protocol sections 2.1, 2.2)."""
    content_type = request.headers.get("content-type", "")
    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    charset = next(
        (value.strip().strip('"').lower() for name, _, value in
         (p.partition("=") for p in parameters.split(";")) if name.strip().lower() == "charset"),
        "utf-8",
    )
    if charset not in ("utf-8", "utf8"):
        raise SparqlError(415, f"the body must be UTF-8, not {charset}")
    body = await _read_body(request, endpoint.settings.max_body_bytes)
    params = _params(_query_string(request))
    if media_type == FORM:
        form = _params(_decode(body))
        for name, values in form.items():
            params.setdefault(name, []).extend(values)
        if "query" in form and "update" in form:
            raise SparqlError(400, "send either query or update, not both")
        if "update" in form:
            return await endpoint.update(request, _single(form, "update"), params)
        if "query" in form:
            return await endpoint.query(request, _single(form, "query"), params)
        raise SparqlError(400, "the form has no query and no update parameter")
    if media_type == SPARQL_QUERY:
        return await endpoint.query(request, _decode(body), params)
    if media_type == SPARQL_UPDATE:
        return await endpoint.update(request, _decode(body), params)
    raise SparqlError(
        415,
        f"POST needs Content-Type {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}"
        + (f", not {media_type}" if media_type else ""),
    )


async def _read_graph(request: Request, endpoint: SparqlEndpoint) -> Response:
    """Answer GET /graphs?graph=IRI or GET /graphs?default (Graph Store Protocol 5.2)."""
    params = _params(_query_string(request))
    if ("graph" in params) == ("default" in params):
        raise SparqlError(400, "give exactly one of ?graph=IRI and ?default")
    media_type = _choose(params, request, GRAPH_TYPES)
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    if "default" in params:
        job = QueryJob(query, "CONSTRUCT", media_type, union_default_graph=True)
    else:
        graph = _single(params, "graph")
        job = QueryJob(query, "CONSTRUCT", media_type, default_graphs=(graph,), named_graphs=())
    answer = await endpoint.answer(job)
    if answer.rows == 0 and "graph" in params:
        raise SparqlError(404, f"no graph named <{params['graph'][0]}> in this store")
    return Response(answer.body, media_type=answer.media_type, headers={"Vary": "Accept"})


def _describe(request: Request, endpoint: SparqlEndpoint) -> Response:
    """Answer GET /sparql with no query: the description, or the query page for a browser."""
    params = _params(_query_string(request))
    media_type = _choose(params, request, (*GRAPH_TYPES, "text/html"), allow_html=True)
    headers = {"Vary": "Accept"}
    if media_type == "text/html":
        return Response((STATIC / "query.html").read_bytes(), media_type="text/html; charset=utf-8",
                        headers=headers)
    body = service_description(
        _endpoint_iri(request),
        media_type,
        update_enabled=bool(endpoint.settings.update_token),
        base_iri=endpoint.settings.base_iri,
    )
    return Response(body, media_type=media_type, headers=headers)


def load_examples(folder: Path) -> list[dict[str, str]]:
    """Read the example queries: name (file stem), summary (``#+ summary:`` line), text."""
    examples = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        summary = next(
            (line.split(":", 1)[1].strip() for line in text.splitlines()
             if line.startswith("#+ summary:")),
            path.stem,
        )
        examples.append({"name": path.stem, "summary": summary, "query": text})
    return examples


def _choose(params, request: Request, offers, *, allow_html: bool = False) -> str:
    format_name = (params.get("format") or params.get("output") or [None])[0]
    media_type = _choose_format(format_name, request.headers.get("accept"), offers)
    if media_type is None:
        raise SparqlError(
            406, "none of the requested formats is available; this answer can be "
            + ", ".join(offer for offer in offers if allow_html or offer != "text/html")
        )
    return media_type


#: choose_format is pure, and a client sends the same Accept header with every request.
_choose_format = functools.lru_cache(maxsize=256)(choose_format)


def _params(text: str) -> dict[str, list[str]]:
    """Parse a query string or form body into its values by name (a new dict each call)."""
    if not text:
        return {}
    if len(text) > CHECK_CACHE_CHARS:
        return parse_qs(text, keep_blank_values=True)
    return {name: list(values) for name, values in _parsed(text)}


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    # Decoding percent escapes costs more than the rest of a cached answer, and clients
    # repeat their requests. Immutable, so no caller can change what the next one gets.
    parsed = parse_qs(text, keep_blank_values=True)
    return tuple((name, tuple(values)) for name, values in parsed.items())


def _query_string(request: Request) -> str:
    """Return the request's raw query string (cheaper than building ``request.url``)."""
    try:
        return request.scope["query_string"].decode("utf-8")
    except UnicodeDecodeError:
        raise SparqlError(400, "the query string is not valid UTF-8") from None


def _single(params: dict[str, list[str]], name: str) -> str:
    values = params[name]
    if len(values) != 1:
        raise SparqlError(400, f"give exactly one {name} parameter, not {len(values)}")
    return values[0]


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise SparqlError(400, "the body is not valid UTF-8") from None


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise SparqlError(413, f"the body is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise SparqlError(413, f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _endpoint_iri(request: Request) -> str:
    """Return the request's URL without query and fragment: the base IRI of its query."""
    scope = request.scope
    server = scope.get("server")
    return _iri_of(scope.get("scheme", "http"), tuple(server) if server else None,
                   scope["path"], request.headers.get("host"))


@functools.lru_cache(maxsize=64)
def _iri_of(scheme: str, server: tuple | None, path: str, host: str | None) -> str:
    # Building request.url costs about as much as the rest of a cached answer. These are
    # the parts of the scope Starlette builds it from; a server sees few distinct ones.
    scope = {"type": "http", "scheme": scheme, "server": server, "path": path,
             "query_string": b"",
             "headers": [(b"host", host.encode("latin-1"))] if host is not None else []}
    return str(Request(scope).url)


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    # The same RFC 9457 shape as grasp.api.errors, without importing the assessment stack.
    titles = {400: "Bad SPARQL request", 401: "Unauthorized", 403: "Forbidden",
              404: "Not found", 405: "Method not allowed", 406: "Not acceptable",
              413: "Body too large", 415: "Unsupported media type",
              500: "Query failed", 503: "Query stopped"}
    body = {"type": "about:blank", "title": titles.get(status, "Error"), "status": status,
            "detail": detail}
    return Response(json.dumps(body), status_code=status, media_type=PROBLEM_JSON,
                    headers=headers)
