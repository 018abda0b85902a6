"""Benchmark Grasp's SPARQL endpoint against the Oxigraph server and rdflib-endpoint.

Loads the same assessments (about 1k, 10k and 100k triples) into each server, on loopback,
then runs three queries against each at 1 and 8 concurrent clients and prints req/s, p50
and p99. Baselines: ``oxigraph serve-read-only`` (PyPI ``oxigraph``) and, if it is
installed, ``rdflib-endpoint`` (PyPI). Every loop is bounded by a duration.

    .venv/bin/python bench/sparql.py                      # all sizes, 3 s per cell
    .venv/bin/python bench/sparql.py --sizes 100000 --seconds 5
    .venv/bin/python bench/sparql.py --uncached           # also Grasp with its answer cache off

Grasp's answer cache serves a repeated query text without a worker; "claims of one
assessment" cycles through 200 texts, so after warm-up Grasp answers it from the cache.
``--uncached`` adds a second Grasp server with the cache off, to show the worker path.

The data comes from :func:`generate_assessments`, shaped like the core's output; swap it
for the assessment pipeline when that can produce thousands of assessments quickly.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

GRASP = "https://w3id.org/grasp/ontology#"
DATA = "https://w3id.org/grasp/data/"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ONTOLOGY = ox.NamedNode("https://w3id.org/grasp/ontology")
LEVELS = {  # rank: (name, requires, forbids)
    1: ("Consumer", ["AssistantView"], []),
    2: ("Practitioner", ["ComponentView"], []),
    3: ("Researcher", ["ProbabilisticTokenView"], []),
    4: ("Architect", ["OntologicalUnderstanding", "ModelBehaviourDistinction",
                      "SimulationOfReasoning"], ["Anthropomorphism"]),
    5: ("OntologyCreator", ["PostSymbolicView", "EmergenceContext"], ["Anthropomorphism"]),
}
CONCEPTS = sorted({c for _, requires, forbids in LEVELS.values() for c in requires + forbids})

QUERIES = {
    "claims of one assessment": """PREFIX grasp: <https://w3id.org/grasp/ontology#>
SELECT ?index ?text ?concept ?stance WHERE {
  <ASSESSMENT> grasp:hasClaim ?claim .
  ?claim grasp:index ?index ; grasp:text ?text ; grasp:hasReading ?r .
  ?r grasp:concept ?concept ; grasp:stance ?stance .
} ORDER BY ?index""",
    "level counts": """PREFIX grasp: <https://w3id.org/grasp/ontology#>
SELECT ?level (COUNT(?a) AS ?n) WHERE { ?a a grasp:Assessment ; grasp:highestLevel ?level }
GROUP BY ?level ORDER BY ?level""",
    "requirements a level lacks": """PREFIX grasp: <https://w3id.org/grasp/ontology#>
SELECT ?concept (COUNT(?rr) AS ?missing) WHERE {
  ?lr grasp:level grasp:Architect ; grasp:requirementResult ?rr .
  ?rr grasp:concept ?concept ; grasp:satisfied false ; grasp:prohibition false .
} GROUP BY ?concept ORDER BY DESC(?missing)""",
}


def n(name: str) -> ox.NamedNode:
    return ox.NamedNode(GRASP + name)


def ontology_quads() -> list[ox.Quad]:
    """The levels and their rules, in the ontology graph."""
    quads = []
    for rank, (name, requires, forbids) in LEVELS.items():
        level = n(name)
        quads += [ox.Quad(level, RDF_TYPE, n("Level"), ONTOLOGY),
                  ox.Quad(level, n("rank"), ox.Literal(rank), ONTOLOGY),
                  ox.Quad(level, RDFS_LABEL, ox.Literal(name, language="en"), ONTOLOGY)]
        quads += [ox.Quad(level, n("requires"), n(c), ONTOLOGY) for c in requires]
        quads += [ox.Quad(level, n("forbids"), n(c), ONTOLOGY) for c in forbids]
    quads.append(ox.Quad(n("OntologyCreator"), n("buildsOn"), n("Architect"), ONTOLOGY))
    return quads


def generate_assessments(triples: int, *, seed: int = 7) -> tuple[list[ox.Quad], list[str]]:
    """Return about ``triples`` quads of assessments (plus the ontology) and their IRIs."""
    rng = random.Random(seed)
    quads = ontology_quads()
    assessments = []
    i = 0
    while len(quads) < triples:
        a = ox.NamedNode(f"{DATA}assessment/{i}")
        g = a
        assessments.append(a.value)
        affirmed = set(rng.sample(CONCEPTS, rng.randint(1, 6)))
        met = [r for r, (_, req, forb) in LEVELS.items()
               if set(req) <= affirmed and not set(forb) & affirmed]
        quads += [ox.Quad(a, RDF_TYPE, n("Assessment"), g),
                  ox.Quad(a, n("assesses"), ox.NamedNode(f"{DATA}person/{i % 997}"), g),
                  ox.Quad(a, ox.NamedNode(PROV + "generatedAtTime"),
                          ox.Literal(f"2026-11-{1 + i % 28:02d}T10:00:00Z",
                                     datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")), g)]
        if met:
            quads.append(ox.Quad(a, n("highestLevel"), n(LEVELS[max(met)][0]), g))
        claims = []
        for k, concept in enumerate(sorted(affirmed)):
            claim = ox.NamedNode(f"{DATA}claim/{i}-{k}")
            reading = ox.NamedNode(f"{DATA}reading/{i}-{k}")
            claims.append((claim, concept))
            quads += [ox.Quad(a, n("hasClaim"), claim, g),
                      ox.Quad(claim, n("index"), ox.Literal(k), g),
                      ox.Quad(claim, n("text"), ox.Literal(f"Claim {k} about {concept}", language="en"), g),
                      ox.Quad(claim, n("hasReading"), reading, g),
                      ox.Quad(reading, n("concept"), n(concept), g),
                      ox.Quad(reading, n("stance"), n("Affirms"), g)]
        for rank, (name, requires, forbids) in LEVELS.items():
            lr = ox.NamedNode(f"{DATA}result/{i}-{rank}")
            satisfied = [c in affirmed for c in requires]
            status = "Met" if rank in met else ("Partial" if any(satisfied) else "Unmet")
            quads += [ox.Quad(a, n("levelResult"), lr, g), ox.Quad(lr, n("level"), n(name), g),
                      ox.Quad(lr, n("status"), n(status), g)]
            for j, (concept, ok) in enumerate([*zip(requires, satisfied),
                                               *((c, c not in affirmed) for c in forbids)]):
                rr = ox.NamedNode(f"{DATA}requirement/{i}-{rank}-{j}")
                quads += [ox.Quad(lr, n("requirementResult"), rr, g),
                          ox.Quad(rr, n("concept"), n(concept), g),
                          ox.Quad(rr, n("satisfied"), ox.Literal(ok), g),
                          ox.Quad(rr, n("prohibition"), ox.Literal(j >= len(requires)), g)]
                quads += [ox.Quad(rr, n("evidence"), claim, g) for claim, c in claims if c == concept]
        i += 1
    return quads, assessments


# --- Servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_grasp(store: str, port: int, workers: int, cache_bytes: int) -> None:
    """Run Grasp's SPARQL router alone under uvicorn, as the app mounts it."""
    from contextlib import asynccontextmanager

    import uvicorn
    from fastapi import FastAPI

    from grasp.api.sparql import SparqlEndpoint
    from grasp.config import Settings

    settings = Settings(store=Path(store), query_workers=workers, query_max_rows=100_000)
    endpoint = SparqlEndpoint(settings, ox.Store(store), cache_bytes=cache_bytes)

    @asynccontextmanager
    async def lifespan(app):
        await endpoint.start()
        yield
        await endpoint.close()

    app = FastAPI(lifespan=lifespan)
    app.include_router(endpoint.router)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def serve_rdflib(trig: str, port: int) -> None:
    """Run rdflib-endpoint over the same data, union default graph."""
    import rdflib
    import uvicorn
    from rdflib_endpoint import SparqlEndpoint

    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(trig, format="trig")
    app = SparqlEndpoint(graph=dataset, path="/sparql", public_url=f"http://127.0.0.1:{port}/sparql")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def wait_until_up(port: int, path: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on {port} exited")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path + "?" + urlencode({"query": "ASK {}"}))
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


# --- Load ------------------------------------------------------------------------------------


#: A request unanswered after this long counts as failed (rdflib-endpoint on aggregates).
REQUEST_TIMEOUT = 30


def client(args) -> list[float]:
    """Send queries for ``seconds`` over one keep-alive connection; return latencies."""
    port, path, texts, seconds, seed = args
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    headers = {"Accept": "application/sparql-results+json",
               "Content-Type": "application/x-www-form-urlencoded"}
    latencies = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        body = urlencode({"query": rng.choice(texts)})
        started = time.perf_counter()
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
        except TimeoutError:
            latencies.append(float("inf"))  # counted as no answer; p99 shows it
            break
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status} from port {port}")
        latencies.append(time.perf_counter() - started)
    connection.close()
    return latencies


def measure(port: int, path: str, texts: list[str], clients: int, seconds: float) -> dict:
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        pool.map(client, [(port, path, texts, 0.3, k) for k in range(clients)])  # warm up
        runs = pool.map(client, [(port, path, texts, seconds, k) for k in range(clients)])
    latencies = sorted(x for run in runs for x in run)
    return {
        "rps": sum(1 for x in latencies if x != float("inf")) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--no-rdflib", action="store_true", help="skip rdflib-endpoint")
    parser.add_argument("--grasp-workers", type=int, default=2, help="Grasp's query workers")
    parser.add_argument("--uncached", action="store_true",
                        help="also run Grasp with its answer cache off")
    parser.add_argument("--queries", nargs="+", choices=list(QUERIES), default=list(QUERIES),
                        metavar="NAME", help="run only these queries (names as in QUERIES)")
    options = parser.parse_args()
    try:
        import rdflib_endpoint  # noqa: F401
        with_rdflib = not options.no_rdflib
    except ImportError:
        with_rdflib = False
        print("rdflib-endpoint is not installed: its column is skipped")
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    print("| triples | query | clients | server | req/s | p50 ms | p99 ms | vs oxigraph |")
    print("|---|---|---|---|---|---|---|---|")
    for size in options.sizes:
        quads, assessments = generate_assessments(size)
        work = Path(tempfile.mkdtemp(prefix="grasp-bench-"))
        processes = []
        try:
            store = ox.Store(str(work / "grasp"))
            store.bulk_extend(quads)
            store.flush()
            store.backup(str(work / "oxigraph"))
            if options.uncached:
                store.backup(str(work / "grasp-uncached"))
            del store
            servers = {}
            grasp = [("grasp", work / "grasp", 64 * 1024 * 1024)]
            if options.uncached:
                grasp.append(("grasp (no cache)", work / "grasp-uncached", 0))
            for server, location, cache_bytes in grasp:
                port = free_port()
                processes.append(subprocess.Popen(
                    [sys.executable, __file__, "--serve-grasp", str(location), str(port),
                     str(options.grasp_workers), str(cache_bytes)]))
                servers[server] = (port, "/sparql")
            port = free_port()
            processes.append(subprocess.Popen(
                [oxigraph, "serve-read-only", "--location", str(work / "oxigraph"),
                 "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            servers["oxigraph"] = (port, "/query")
            if with_rdflib:
                trig = work / "data.trig"
                trig.write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG))
                port = free_port()
                processes.append(subprocess.Popen(
                    [sys.executable, __file__, "--serve-rdflib", str(trig), str(port)]))
                servers["rdflib-endpoint"] = (port, "/sparql")
            for (port, path), process in zip(servers.values(), processes):
                wait_until_up(port, path, process)
            for name in options.queries:
                text = QUERIES[name]
                texts = ([text.replace("ASSESSMENT", a) for a in assessments[:200]]
                         if "ASSESSMENT" in text else [text])
                for clients in options.clients:
                    figures = {server: measure(port, path, texts, clients, options.seconds)
                               for server, (port, path) in servers.items()}
                    base = figures["oxigraph"]["rps"]
                    for server, f in figures.items():
                        print(f"| {len(quads):,} | {name} | {clients} | {server} | {f['rps']:,.0f} "
                              f"| {f['p50']:.2f} | {f['p99']:.2f} | {f['rps'] / base:.2f}x |",
                              flush=True)
        finally:
            for process in processes:
                # kill, not terminate: a server busy in a query thread ignores SIGTERM.
                process.kill()
                process.wait()
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--serve-grasp":
        serve_grasp(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif len(sys.argv) == 4 and sys.argv[1] == "--serve-rdflib":
        serve_rdflib(sys.argv[2], int(sys.argv[3]))
    else:
        main()
