"""The cache of answers: right after writes, one entry per format, within its bounds."""

from __future__ import annotations

import asyncio
import time

import httpx
import pyoxigraph as ox
import pytest
from test_sparql_support import GRASP, UPDATE_TOKEN, writable_server  # noqa: F401

from grasp.config import Settings
from grasp.sparql.cache import ENTRY_OVERHEAD, AnswerCache, LruCache
from grasp.sparql.executor import QueryAnswer, QueryJob, QueryPool

JSON = "application/sparql-results+json"
CSV = "text/csv"
COUNT_LEVELS = f"SELECT (COUNT(?l) AS ?n) WHERE {{ ?l a <{GRASP}Level> }}"


def job(text: str = "SELECT * { ?s ?p ?o }", media_type: str = JSON) -> QueryJob:
    return QueryJob(text, "SELECT", media_type, union_default_graph=True)


def answer(body: bytes = b"{}", version: int = 0) -> QueryAnswer:
    return QueryAnswer(media_type=JSON, body=body, rows=1, data_version=version)


# --- The caches alone -------------------------------------------------------------------


def test_lru_forgets_the_least_recently_used_first():
    cache = LruCache(max_entries=2, max_bytes=1000)
    cache.put("a", 1, size=10)
    cache.put("b", 2, size=10)
    assert cache.get("a") == 1  # now "b" is the oldest
    cache.put("c", 3, size=10)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3


def test_lru_stays_within_its_byte_bound_and_skips_huge_entries():
    cache = LruCache(max_entries=1000, max_bytes=1000)
    for i in range(100):
        cache.put(i, i, size=90)
        assert cache.bytes <= 1000 and len(cache) <= 1000 // 90
    cache.put("huge", 0, size=400)  # more than a quarter of the bound
    assert cache.get("huge") is None and cache.bytes <= 1000


def test_answer_cache_drops_everything_when_the_version_moves():
    cache = AnswerCache()
    cache.put(job(), answer(b"old", version=3), 3)
    assert cache.get(job(), 3).body == b"old"
    assert cache.get(job(), 4) is None
    assert len(cache) == 0 and cache.bytes == 0


def test_answer_cache_refuses_an_answer_computed_on_older_data():
    cache = AnswerCache()
    # The snapshot covered version 2, but a write raised the version to 3 meanwhile.
    cache.put(job(), answer(version=2), 3)
    assert cache.get(job(), 3) is None


def test_answer_cache_keys_on_the_media_type_and_the_dataset():
    cache = AnswerCache()
    cache.put(job(media_type=JSON), answer(b"json"), 0)
    assert cache.get(job(media_type=CSV), 0) is None
    named = QueryJob("SELECT * { ?s ?p ?o }", "SELECT", JSON, default_graphs=("urn:g",),
                     named_graphs=())
    assert cache.get(named, 0) is None
    assert cache.get(job(media_type=JSON), 0).body == b"json"


def test_answer_cache_stays_within_its_bounds():
    cache = AnswerCache(max_entries=50, max_bytes=20_000)
    for i in range(500):
        text = f"SELECT * {{ ?s ?p {i} }}"
        cache.put(job(text), answer(b"x" * (i % 3000)), 0)
        assert len(cache) <= 50 and cache.bytes <= 20_000
    assert cache.bytes == sum(  # the accounting matches what is held
        len(a.body) + len(j.query) + ENTRY_OVERHEAD for j, (a, _) in cache._answers._entries.items()
    )


def test_answer_cache_can_be_turned_off():
    cache = AnswerCache(max_bytes=0)
    cache.put(job(), answer(), 0)
    assert cache.get(job(), 0) is None and len(cache) == 0


# --- The endpoint, in process -----------------------------------------------------------


def make_store(path) -> ox.Store:
    store = ox.Store(str(path))
    store.add(ox.Quad(ox.NamedNode(GRASP + "Architect"), ox.NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(GRASP + "Level"),
        ox.NamedNode("urn:test:ontology")))
    return store


def add_level(store: ox.Store, name: str) -> None:
    store.add(ox.Quad(ox.NamedNode(GRASP + name), ox.NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(GRASP + "Level"),
        ox.NamedNode("urn:test:ontology")))


def test_a_write_between_two_identical_queries_changes_the_answer(tmp_path):
    from grasp.api.sparql import SparqlEndpoint

    store = make_store(tmp_path / "store")
    endpoint = SparqlEndpoint(Settings(store=tmp_path / "store", query_workers=1), store,
                              snapshot_root=tmp_path / "snapshots")

    async def scenario() -> list[bytes]:
        await endpoint.start()
        try:
            first = await endpoint.answer(job(COUNT_LEVELS))
            again = await endpoint.answer(job(COUNT_LEVELS))
            assert again is first  # served from the cache, not recomputed
            add_level(store, "Researcher")
            endpoint.data_changed()  # what the runtime's on_write does after each write
            after = await endpoint.answer(job(COUNT_LEVELS))
            return [first.body, after.body]
        finally:
            await endpoint.close()

    before, after = asyncio.run(scenario())
    assert b'"value":"1"' in before and b'"value":"2"' in after


def test_queries_during_a_snapshot_wait_for_it(tmp_path):
    """A query that arrives while the snapshot is being taken reads the new data, too."""
    store = make_store(tmp_path / "store")

    class SlowBackup:
        def backup(self, target: str) -> None:
            time.sleep(0.3)
            store.backup(target)

    pool = QueryPool(SlowBackup(), snapshot_root=tmp_path / "snapshots", workers=2,
                     timeout=5, max_rows=100)
    ask = job(f"ASK {{ <{GRASP}Researcher> a <{GRASP}Level> }}")

    async def scenario() -> list[QueryAnswer]:
        await pool.start()
        try:
            add_level(store, "Researcher")
            pool.data_changed()
            first = asyncio.create_task(pool.run(ask))
            await asyncio.sleep(0.1)  # the first query is now taking the snapshot
            second = asyncio.create_task(pool.run(ask))
            return await asyncio.gather(first, second)
        finally:
            await pool.close()

    answers = asyncio.run(scenario())
    assert [a.body for a in answers] == [b'{"head":{},"boolean":true}'] * 2
    assert {a.data_version for a in answers} == {pool.data_version}


# --- Over HTTP --------------------------------------------------------------------------


def test_an_update_between_two_identical_requests_changes_the_answer(writable_server):
    query = {"query": COUNT_LEVELS}

    def count() -> str:
        response = httpx.get(writable_server.sparql, params=query, headers={"Accept": JSON})
        return response.json()["results"]["bindings"][0]["n"]["value"]

    before = count()
    assert count() == before  # the second is answered from the cache
    update = f"INSERT DATA {{ GRAPH <urn:test:cache> {{ <{GRASP}CacheLevel> a <{GRASP}Level> }} }}"
    response = httpx.post(writable_server.sparql, data={"update": update},
                          headers={"Authorization": f"Bearer {UPDATE_TOKEN}"})
    assert response.status_code == 204, response.text
    assert int(count()) == int(before) + 1


@pytest.mark.parametrize("accept", [JSON, CSV, "application/sparql-results+xml"])
def test_each_format_is_its_own_cache_entry(writable_server, accept):
    query = {"query": "SELECT ?level WHERE { ?level a <" + GRASP + "Level> } ORDER BY ?level"}
    for _ in range(2):  # the second request of each format comes from the cache
        for media_type in (JSON, CSV, "application/sparql-results+xml"):
            response = httpx.get(writable_server.sparql, params=query,
                                 headers={"Accept": media_type})
            assert response.status_code == 200
            assert response.headers["content-type"].startswith(media_type)
    response = httpx.get(writable_server.sparql, params=query, headers={"Accept": accept})
    assert response.headers["content-type"].startswith(accept)
    if accept == CSV:
        assert response.text.startswith("level\r\n")
    elif accept == JSON:
        assert response.json()["head"]["vars"] == ["level"]
    else:
        assert response.text.startswith("<?xml")
