"""Run user queries in worker processes that can be killed at the deadline.

Why processes: pyoxigraph has no query timeout and no cancellation, so a thread given up
on keeps running, and a hostile query can crash the interpreter. A worker process is
killed at the deadline (SIGKILL: nothing keeps spinning) and replaced; a crash takes down
only that worker.

Why snapshots: the API process holds the store read-write, and pyoxigraph says that
opening a store read-only while another process writes it is undefined behaviour. So the
workers never open the live store. The pool makes a point-in-time copy with
``Store.backup()`` (a RocksDB checkpoint: hard links to the immutable table files, about
15 ms for 100k triples) and the workers open that copy read-only; nobody writes to it, so
the read-only open is well defined. The copy is refreshed lazily: a writer calls
:meth:`QueryPool.data_changed`, which raises the pool's data version, and the next query
takes a new snapshot before it runs, so a client reads its own writes. Each snapshot
records the data version it covers, and each answer carries it, so a cache of answers can
tell a current answer from one computed on older data. A snapshot is deleted once no
worker holds it.

Wire protocol (parent <-> worker, over the worker's stdin and stdout): a frame is two
big-endian uint32 lengths, then a JSON header, then a body of raw bytes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import struct
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

_FRAME = struct.Struct(">II")


class SnapshotSource(Protocol):
    """What the pool needs from the store: a point-in-time copy into a new directory.

    pyoxigraph's on-disk ``Store`` is one; a remote store can provide the same verb.
    """

    def backup(self, target_directory: str) -> None: ...


@dataclass(frozen=True)
class QueryJob:
    """One checked query and how to run and serialise it.

    Hashable when the graph lists are tuples, so a job can key a cache of answers.
    """

    query: str
    #: SELECT, ASK, CONSTRUCT or DESCRIBE (from the guard).
    form: str
    media_type: str
    base_iri: str | None = None
    #: Query the union of all graphs as the default graph.
    union_default_graph: bool = False
    #: Protocol ``default-graph-uri`` values; None: not given.
    default_graphs: Sequence[str] | None = None
    #: Protocol ``named-graph-uri`` values; None: not given.
    named_graphs: Sequence[str] | None = None


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised answer: its media type, body and number of rows or triples."""

    media_type: str
    body: bytes
    rows: int
    #: The pool's data version that the snapshot it was computed on covers.
    data_version: int = 0


class QueryError(Exception):
    """A query that produced no answer; ``status`` is the HTTP status to report."""

    status = 500

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status


class QueryTimeout(QueryError):
    """The deadline passed: the worker running the query was killed."""

    status = 503


class QueryPool:
    """A fixed number of worker processes answering queries over a store snapshot.

    Call :meth:`start` before the first query and :meth:`close` at shutdown (both from
    the application's lifespan).
    """

    def __init__(
        self,
        store: SnapshotSource,
        *,
        snapshot_root: Path,
        workers: int,
        timeout: float,
        max_rows: int,
    ):
        self.store = store
        self.snapshot_root = Path(snapshot_root)
        self.size = workers
        self.timeout = timeout
        self.max_rows = max_rows
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: set[_Worker] = set()
        self._generation = 0
        #: Raised by every write (data_changed); a lock because writers may be threads.
        self._data_version = 0
        self._version_lock = threading.Lock()
        #: The data version the current snapshot covers; -1: no snapshot yet.
        self._snapshot_version = -1
        #: Where the current snapshot is, as sent to the workers.
        self._snapshot = ""
        self._snapshot_lock = asyncio.Lock()
        self._spawning: set[asyncio.Task] = set()
        self._closed = False

    async def start(self) -> None:
        """Take the first snapshot and start the workers; return when they are ready."""
        shutil.rmtree(self.snapshot_root, ignore_errors=True)
        self.snapshot_root.mkdir(parents=True)
        await self._refresh_snapshot()
        workers = await asyncio.gather(*(_Worker.spawn() for _ in range(self.size)))
        for worker in workers:
            self._workers.add(worker)
            self._idle.put_nowait(worker)

    async def close(self) -> None:
        """Kill every worker and delete the snapshots."""
        self._closed = True
        for task in list(self._spawning):
            task.cancel()
        for worker in list(self._workers):
            await worker.kill()
        self._workers.clear()
        shutil.rmtree(self.snapshot_root, ignore_errors=True)

    def data_changed(self) -> None:
        """Note that the store was written: the next query runs on a fresh snapshot.

        Call it after the write is complete; any thread may call it.
        """
        with self._version_lock:
            self._data_version += 1

    @property
    def data_version(self) -> int:
        """A number that grows with every :meth:`data_changed`; answers carry the one they cover."""
        return self._data_version

    @property
    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for tests and monitoring)."""
        return [worker.process.pid for worker in self._workers]

    async def run(self, job: QueryJob) -> QueryAnswer:
        """Answer ``job`` within the deadline, or raise :class:`QueryError`.

        The deadline covers waiting for a free worker too, so a client never waits
        longer than the timeout for an answer.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        await self._refresh_snapshot()
        try:
            # get_nowait first: wait_for creates a task, which costs more than a small query.
            worker = self._idle.get_nowait()
        except asyncio.QueueEmpty:
            try:
                worker = await asyncio.wait_for(self._idle.get(), deadline - loop.time())
            except TimeoutError:
                raise QueryTimeout(
                    f"no query worker became free within {self.timeout:g} s; try again later"
                ) from None
        # Read together, before any await: the answer covers what this snapshot covers.
        snapshot, covered = self._snapshot, self._snapshot_version
        # Held until the reply: a refresh meanwhile must not delete what the worker opens.
        worker.dispatched = self._generation
        request = {
            "query": job.query,
            "media_type": job.media_type,
            "base_iri": job.base_iri,
            "union_default_graph": job.union_default_graph,
            "default_graphs": job.default_graphs,
            "named_graphs": job.named_graphs,
            "snapshot": snapshot,
            "max_rows": self.max_rows,
        }
        # The deadline kills the worker; the call then fails to read its reply.
        timer = loop.call_at(deadline, worker.expire)
        try:
            header, body = await worker.call(request)
        except (asyncio.IncompleteReadError, ConnectionError):
            self._replace(worker)
            if worker.expired:
                raise QueryTimeout(
                    f"the query ran longer than {self.timeout:g} s and was stopped; "
                    "add a LIMIT or make the patterns more selective"
                ) from None
            raise QueryError("the query engine crashed on this query", 500) from None
        except BaseException:
            # Cancelled mid-call: the worker's state is unknown, so it is not reused.
            self._replace(worker)
            raise
        finally:
            timer.cancel()
        opened = int(header.get("generation", worker.generation))
        if opened != worker.generation:
            worker.generation = opened
            self._delete_unused_snapshots()
        self._idle.put_nowait(worker)
        if header["status"] != "ok":
            raise QueryError(header["message"], int(header["http_status"]))
        return QueryAnswer(
            media_type=header["media_type"], body=body, rows=header["rows"],
            data_version=covered,
        )

    def _snapshot_path(self, generation: int) -> Path:
        return self.snapshot_root / f"{generation:08d}"

    async def _refresh_snapshot(self) -> None:
        """Make sure the current snapshot covers every write reported so far.

        A query that arrives while another takes the snapshot waits for that copy: the
        snapshot in use until then predates a write the client may have been told about.
        """
        if self._snapshot_version == self._data_version:
            return
        async with self._snapshot_lock:
            # Read before the copy starts: a write during the copy raises the version
            # again, so the next query takes another snapshot.
            version = self._data_version
            if self._snapshot_version == version:
                return
            generation = self._generation + 1
            snapshot = str(self._snapshot_path(generation))
            await asyncio.to_thread(self.store.backup, snapshot)
            self._generation, self._snapshot_version, self._snapshot = generation, version, snapshot
        self._delete_unused_snapshots()

    def _delete_unused_snapshots(self) -> None:
        held = {self._generation}
        for worker in self._workers:
            held |= {worker.generation, worker.dispatched}
        for path in self.snapshot_root.iterdir():
            if path.name.isdigit() and int(path.name) not in held:
                shutil.rmtree(path, ignore_errors=True)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in the background."""
        self._workers.discard(worker)
        worker.expire_quietly()

        async def respawn() -> None:
            await worker.kill()
            if self._closed:
                return
            fresh = await _Worker.spawn()
            if self._closed:
                await fresh.kill()
                return
            self._workers.add(fresh)
            self._idle.put_nowait(fresh)

        task = asyncio.get_running_loop().create_task(respawn())
        self._spawning.add(task)
        task.add_done_callback(self._spawning.discard)


class _Worker:
    """The parent's handle on one worker process."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process
        #: The snapshot generation the worker has open (0: none yet).
        self.generation = 0
        #: The snapshot generation of the last request sent to it.
        self.dispatched = 0
        #: Killed at the deadline.
        self.expired = False

    def expire(self) -> None:
        """Kill the worker because its query passed the deadline."""
        self.expired = True
        self.expire_quietly()

    def expire_quietly(self) -> None:
        """Kill the worker if it still runs (it may have died or been killed already)."""
        try:
            self.process.kill()
        except ProcessLookupError:
            pass

    @classmethod
    async def spawn(cls) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "grasp.sparql.executor",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        worker = cls(process)
        header, _ = await worker.call({"op": "ping"})
        assert header["status"] == "ok", header
        return worker

    async def call(self, header: dict, body: bytes = b"") -> tuple[dict, bytes]:
        head = json.dumps(header).encode()
        self.process.stdin.write(_FRAME.pack(len(head), len(body)) + head + body)
        await self.process.stdin.drain()
        head_length, body_length = _FRAME.unpack(await self.process.stdout.readexactly(8))
        frame = await self.process.stdout.readexactly(head_length + body_length)
        return json.loads(frame[:head_length]), frame[head_length:]

    async def kill(self) -> None:
        self.expire_quietly()
        await self.process.wait()


# --- The worker process -------------------------------------------------------------


def _answer(request: dict, open_store) -> tuple[dict, bytes]:
    """Run one query request inside the worker; return the reply header and body."""
    from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions

    from grasp.sparql import results

    store = open_store(request["snapshot"])
    options: dict = {}
    if request["base_iri"]:
        options["base_iri"] = request["base_iri"]
    try:
        if request["default_graphs"] is not None:
            options["default_graph"] = [NamedNode(iri) for iri in request["default_graphs"]]
        if request["named_graphs"] is not None:
            options["named_graphs"] = [NamedNode(iri) for iri in request["named_graphs"]]
    except ValueError as error:
        return _error(400, f"not an IRI in the dataset parameters: {error}")
    if request["union_default_graph"]:
        options["use_default_graph_as_union"] = True
    try:
        answer = store.query(request["query"], **options)
    except SyntaxError as error:
        return _error(400, f"syntax error: {error}")
    media_type = request["media_type"]
    limit = request["max_rows"]
    if isinstance(answer, QueryBoolean):
        return _ok(media_type, results.write_boolean(media_type, bool(answer)), 1)
    capped = list(itertools.islice(answer, limit + 1))
    if len(capped) > limit:
        return _error(
            503, f"the answer has more than {limit} rows; add a LIMIT of at most {limit}"
        )
    if isinstance(answer, QuerySolutions):
        variables = [variable.value for variable in answer.variables]
        indexes = range(len(variables))
        rows = [tuple(solution[i] for i in indexes) for solution in capped]
        return _ok(media_type, results.write_solutions(media_type, variables, rows), len(rows))
    return _ok(media_type, results.write_graph(media_type, capped), len(capped))


def _ok(media_type: str, body: bytes, rows: int) -> tuple[dict, bytes]:
    return {"status": "ok", "media_type": media_type, "rows": rows}, body


def _error(http_status: int, message: str) -> tuple[dict, bytes]:
    return {"status": "error", "http_status": http_status, "message": message}, b""


def worker_main() -> None:
    """Serve query requests from stdin until it closes (the worker process's entry point)."""
    import resource

    from pyoxigraph import Store

    # A crash in the engine should not leave core files behind.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    # Anything else printed goes to stderr, never into the reply stream.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    opened: dict[str, Store] = {}
    generation = 0

    def open_store(path: str) -> Store:
        nonlocal generation
        if path not in opened:
            opened.clear()
            opened[path] = Store.read_only(path)
            generation = int(Path(path).name)
        return opened[path]

    while True:
        frame = requests.read(_FRAME.size)
        if len(frame) < _FRAME.size:
            return
        head_length, body_length = _FRAME.unpack(frame)
        request = json.loads(requests.read(head_length))
        requests.read(body_length)
        if request.get("op") == "ping":
            header, body = {"status": "ok"}, b""
        else:
            try:
                header, body = _answer(request, open_store)
            except OSError:
                # The snapshot could not be read: reopen it once before giving up.
                opened.clear()
                try:
                    header, body = _answer(request, open_store)
                except OSError as error:
                    header, body = _error(500, f"the store could not be read: {error}")
            except Exception as error:  # reported to the parent, never a traceback
                header, body = _error(500, f"the query failed: {type(error).__name__}")
        header["generation"] = generation
        head = json.dumps(header).encode()
        replies.write(_FRAME.pack(len(head), len(body)) + head + body)
        replies.flush()


if __name__ == "__main__":
    worker_main()
