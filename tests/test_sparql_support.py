"""A real Grasp SPARQL endpoint for the tests: a small app around a store we fill, under uvicorn.

The server runs in its own process (so a test can measure its CPU), on 127.0.0.1 and a free
port. The app is built exactly as the core app mounts the endpoint; only the data differs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import free_port

TESTS = Path(__file__).parent
GRASP = "https://w3id.org/grasp/ontology#"
DATA = "https://w3id.org/grasp/data/"
UPDATE_TOKEN = "test-update-token"

#: A small dataset of the shape the core writes: the ontology graph and two assessments.
TRIG = f"""
@prefix grasp: <{GRASP}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix data: <{DATA}> .

<https://w3id.org/grasp/ontology> {{
  grasp:Researcher a grasp:Level ; grasp:rank 3 ; rdfs:label "Researcher"@en, "Исследователь"@ru ;
    grasp:requires grasp:ProbabilisticTokenView .
  grasp:Architect a grasp:Level ; grasp:rank 4 ; rdfs:label "Architect"@en, "Архитектор"@ru ;
    grasp:requires grasp:OntologicalUnderstanding, grasp:ModelBehaviourDistinction,
                   grasp:SimulationOfReasoning ;
    grasp:forbids grasp:Anthropomorphism .
}}

data:assessment\\/a1 {{
  data:assessment\\/a1 a grasp:Assessment ; grasp:assesses data:person\\/p1 ;
    prov:generatedAtTime "2026-11-01T10:00:00Z"^^xsd:dateTime ;
    grasp:highestLevel grasp:Architect ; grasp:hasClaim data:claim\\/a1-0, data:claim\\/a1-1 ;
    grasp:levelResult data:result\\/a1-4 .
  data:claim\\/a1-0 grasp:index 0 ; grasp:text "An LLM is a probabilistic machine of meanings that works on tokens."@en ;
    grasp:hasReading [ grasp:concept grasp:ProbabilisticTokenView ; grasp:stance grasp:Affirms ] .
  data:claim\\/a1-1 grasp:index 1 ; grasp:text "I don't attribute thinking to the model."@en ;
    grasp:hasReading [ grasp:concept grasp:Anthropomorphism ; grasp:stance grasp:Denies ] .
  data:result\\/a1-4 grasp:level grasp:Architect ; grasp:status grasp:Met ;
    grasp:requirementResult [ grasp:concept grasp:SimulationOfReasoning ; grasp:satisfied true ;
                              grasp:prohibition false ; grasp:evidence data:claim\\/a1-1 ] .
}}

data:assessment\\/a2 {{
  data:assessment\\/a2 a grasp:Assessment ; grasp:assesses data:person\\/p2 ;
    prov:generatedAtTime "2026-11-02T10:00:00Z"^^xsd:dateTime ;
    grasp:highestLevel grasp:Researcher ; grasp:hasClaim data:claim\\/a2-0 ;
    grasp:levelResult data:result\\/a2-4 .
  data:claim\\/a2-0 grasp:index 0 ; grasp:text "Tokens, probabilities, sampling."@en ;
    grasp:hasReading [ grasp:concept grasp:ProbabilisticTokenView ; grasp:stance grasp:Affirms ] .
  data:result\\/a2-4 grasp:level grasp:Architect ; grasp:status grasp:Unmet ;
    grasp:requirementResult [ grasp:concept grasp:SimulationOfReasoning ; grasp:satisfied false ;
                              grasp:prohibition false ] .
}}
"""

#: rdf:type triples in 400 subjects: a three-way cross product is 64 million rows.
CROSS_PRODUCT_SIZE = 400


def fill_store(path: Path, *, extra_trig: str = "") -> None:
    """Create the test store at ``path`` with :data:`TRIG` and filler for costly queries."""
    store = ox.Store(str(path))
    store.load(TRIG.encode() + extra_trig.encode(), format=ox.RdfFormat.TRIG)
    filler = ox.NamedNode(DATA + "filler")
    store.extend(
        ox.Quad(ox.NamedNode(f"{DATA}thing/{i}"), ox.NamedNode("http://example.org/p"),
                ox.Literal(i), filler)
        for i in range(CROSS_PRODUCT_SIZE)
    )
    store.flush()
    del store


def create_app(settings, store_path: Path):
    """Build the app the way the core's factory mounts the endpoint (see the report)."""
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    from grasp.api.sparql import SparqlEndpoint

    writer = ox.Store(str(store_path))
    endpoint = SparqlEndpoint(settings, writer)

    @asynccontextmanager
    async def lifespan(app):
        await endpoint.start()
        try:
            yield
        finally:
            await endpoint.close()

    app = FastAPI(lifespan=lifespan)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST"], allow_headers=["*"])
    app.include_router(endpoint.router)
    app.state.endpoint = endpoint

    @app.get("/test/workers")
    async def workers() -> list[int]:
        return endpoint.pool.worker_pids

    return app


def serve(config: dict) -> None:
    """Run the test app under uvicorn (the server subprocess's entry point)."""
    import uvicorn

    from grasp.config import Settings

    settings = Settings(**config["settings"])
    app = create_app(settings, Path(config["settings"]["store"]))
    uvicorn.run(app, host="127.0.0.1", port=config["port"], log_level="warning")


@dataclass
class Server:
    """A running endpoint: its base URL and process."""

    url: str
    process: subprocess.Popen
    store: Path

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    def worker_pids(self) -> list[int]:
        return httpx.get(self.url + "/test/workers").json()


def start_server(tmp: Path, **settings) -> Server:
    """Fill a store under ``tmp`` and serve it; return when the endpoint answers."""
    store = tmp / "store"
    fill_store(store, extra_trig=settings.pop("extra_trig", ""))
    port = free_port()
    config = {"port": port, "settings": {"store": str(store), **settings}}
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        "import test_sparql_support; test_sparql_support.serve(json.loads(sys.argv[2]))"
    )
    process = subprocess.Popen([sys.executable, "-c", code, str(TESTS), json.dumps(config)])
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        if process.poll() is not None:
            raise RuntimeError("the test server exited")
        try:
            if httpx.get(url + "/sparql/examples", timeout=1).status_code == 200:
                return Server(url, process, store)
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the test server did not start")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A read-only endpoint (no update token) with a 2 s timeout and a 1,000-row cap."""
    running = start_server(
        tmp_path_factory.mktemp("sparql"), query_timeout=2.0, query_max_rows=1000,
        query_workers=2, cors_origins=["http://example.org"],
    )
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def writable_server(tmp_path_factory):
    """An endpoint with SPARQL Update enabled by :data:`UPDATE_TOKEN`."""
    running = start_server(
        tmp_path_factory.mktemp("sparql-rw"), query_timeout=2.0, query_workers=2,
        update_token=UPDATE_TOKEN,
    )
    yield running
    stop_server(running)
