"""Build the FastAPI application: settings in, routers mounted, one error handler.

``create_app`` only wires parts together; every decision is made in the modules it mounts.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from grasp import __version__
from grasp.api import admin, transcripts
from grasp.api.errors import install_error_handlers
from grasp.api.routes import router
from grasp.api.sparql import SparqlEndpoint
from grasp.config import Settings
from grasp.runtime import Runtime

DESCRIPTION = """
Grasp assesses how deeply a person understands large language models, from that person's
own claims, by rules that live in an OWL ontology, and shows its evidence.
"""


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Return the Grasp app; it opens the runtime (ontology, store) when it starts."""
    settings = settings or (runtime.settings if runtime else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.runtime = runtime or Runtime.open(settings)
        await sparql.start(writer_store=app.state.runtime.store.oxigraph,
                           pending_writes=app.state.runtime.store)
        app.state.runtime.on_write(sparql.data_changed)
        watcher = app.state.runtime.watch() if settings.watch_ontology else None
        try:
            yield
        finally:
            if watcher is not None:
                watcher.stop()
            await sparql.close()
            if runtime is None:
                app.state.runtime.close()

    sparql = SparqlEndpoint(settings, cache_bytes=settings.query_cache_bytes)
    app = FastAPI(title="Grasp", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST"], allow_headers=["*"])
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(transcripts.router)
    app.include_router(admin.router)
    app.include_router(sparql.router)
    return app
