"""The store: the embedded pyoxigraph store, and writes that end after the answer."""

from __future__ import annotations

import threading

import pyoxigraph as ox
import pytest

from grasp import store as store_module
from grasp.store import EmbeddedStore, WriteBehind

P = ox.NamedNode("urn:example:p")


def graph_of(number: int, size: int = 50) -> tuple[ox.NamedNode, list[ox.Triple]]:
    graph = ox.NamedNode(f"urn:example:assessment-{number}")
    return graph, [ox.Triple(graph, P, ox.Literal(f"value {i}")) for i in range(size)]


def test_a_read_waits_for_the_writes_before_it(tmp_path):
    store = WriteBehind(EmbeddedStore(tmp_path / "store"))
    for number in range(100):
        store.add_graph(*graph_of(number))
    last, triples = graph_of(99)
    assert sorted(map(str, store.graph(last))) == sorted(map(str, triples))
    count = next(store.select("SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }"))
    assert int(count["n"].value) == 100
    assert store.pending == 0
    store.close()


def test_on_write_runs_after_each_write_in_order(tmp_path):
    inner = EmbeddedStore(tmp_path / "store")
    seen: list[int] = []

    def on_write() -> None:
        # Called once the graph is in the store underneath, not merely queued.
        seen.append(sum(1 for _ in inner.oxigraph.named_graphs()))

    store = WriteBehind(inner, on_write=on_write)
    for number in range(20):
        store.add_graph(*graph_of(number))
    store.wait()
    assert seen == list(range(1, 21))
    store.close()


def test_close_writes_what_is_queued(tmp_path):
    store = WriteBehind(EmbeddedStore(tmp_path / "store"))
    for number in range(200):
        store.add_graph(*graph_of(number))
    store.close()

    reopened = EmbeddedStore(tmp_path / "store")
    assert sum(1 for _ in reopened.oxigraph.named_graphs()) == 200
    reopened.close()


def test_synchronous_writes_are_in_the_store_on_return(tmp_path):
    inner = EmbeddedStore(tmp_path / "store")
    store = WriteBehind(inner, background=False)
    graph, triples = graph_of(1)
    store.add_graph(graph, triples)
    assert len(inner.graph(graph)) == len(triples)
    store.close()


class RefusingStore(EmbeddedStore):
    """An embedded store whose disk refuses one graph (a full disk, say)."""

    refused = ox.NamedNode("urn:example:assessment-13")

    def add_graph_data(self, graph, data):
        if graph == self.refused:
            raise OSError("No space left on device")
        super().add_graph_data(graph, data)


def test_a_failed_write_is_kept_and_later_writes_report_their_errors(tmp_path, caplog):
    store = WriteBehind(RefusingStore(tmp_path / "store"))
    for number in range(12, 15):
        store.add_graph(*graph_of(number))
    store.wait()
    assert isinstance(store.failure, OSError)
    assert "urn:example:assessment-13" in caplog.text
    # The writes around it are stored.
    assert store.graph(graph_of(12)[0]) and store.graph(graph_of(14)[0])
    # From now on a write is synchronous: its caller sees the error, not a false success.
    with pytest.raises(OSError):
        store.add_graph(*graph_of(13))
    store.close()


def test_concurrent_writers_all_land(tmp_path):
    store = WriteBehind(EmbeddedStore(tmp_path / "store"))

    def write(first: int) -> None:
        for number in range(first, first + 50):
            store.add_graph(*graph_of(number, size=5))

    threads = [threading.Thread(target=write, args=(first,)) for first in (0, 50, 100, 150)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count = next(store.select("SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }"))
    assert int(count["n"].value) == 200
    store.close()


def test_the_in_memory_table_is_written_out_as_it_grows(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "FLUSH_EVERY_QUADS", 500)
    store = EmbeddedStore(tmp_path / "store")
    for number in range(12):
        store.add_graph(*graph_of(number))
    assert store._flusher is not None
    store._flusher.join()
    assert list((tmp_path / "store").glob("*.sst")), "no table file was written"
    store.close()


@pytest.mark.parametrize("background", [True, False])
def test_a_failing_listener_does_not_stop_the_writer(tmp_path, background):
    def on_write() -> None:
        raise RuntimeError("listener broke")

    store = WriteBehind(EmbeddedStore(tmp_path / "store"), on_write=on_write,
                        background=background)
    for number in range(3):
        store.add_graph(*graph_of(number))
    store.wait()
    assert store.failure is None
    assert store.graph(graph_of(2)[0])
    store.close()


@pytest.mark.parametrize("background", [True, False])
def test_written_terms_read_back_unchanged(tmp_path, background):
    # The writer gets N-Triples bytes: quotes, new lines, language tags and datatypes survive.
    graph = ox.NamedNode("urn:example:assessment-terms")
    triples = [
        ox.Triple(graph, P, ox.Literal('She said "it thinks",\nthen: «думает» \\ ok', language="ru")),
        ox.Triple(graph, P, ox.Literal("0.85", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#decimal"))),
        ox.Triple(graph, P, ox.NamedNode("https://example.org/x#y")),
    ]
    store = WriteBehind(EmbeddedStore(tmp_path / "store"), background=background)
    store.add_graph(graph, triples)
    assert sorted(map(str, store.graph(graph))) == sorted(map(str, triples))
    store.close()
