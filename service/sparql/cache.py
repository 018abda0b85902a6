"""Bounded least-recently-used caches for the endpoint's hot path.

:class:`AnswerCache` keeps serialised answers in the API process, so a repeated query is
answered without the round trip to a worker process. It is correct by construction: the
store changes only through writes that call ``data_changed()``, each of which raises the
pool's data version; an answer is stored with the data version its snapshot covers, only
while that version is still current, and the whole cache is dropped when the version moves.

>>> cache = LruCache(max_entries=2, max_bytes=100)
>>> cache.put("a", 1, size=10); cache.put("b", 2, size=10); cache.put("c", 3, size=10)
>>> cache.get("a") is None, cache.get("c"), len(cache)
(True, 3, 2)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from grasp.sparql.executor import QueryAnswer, QueryJob

Value = TypeVar("Value")

#: What an answer costs besides its body and query text (key tuple, objects, dict slot).
ENTRY_OVERHEAD = 400


class LruCache(Generic[Value]):
    """A mapping bounded in entries and in bytes that forgets the least recently used first.

    Sizes are what the caller says an entry costs. An entry larger than a quarter of the
    byte bound is not kept: one huge answer should not flush every small one.
    Not thread-safe: use it from the event loop only.
    """

    def __init__(self, *, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[Hashable, tuple[Value, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Value | None:
        """Return the value stored under ``key`` and mark it recently used, or None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: Hashable, value: Value, *, size: int) -> None:
        """Store ``value`` under ``key``, then forget the oldest entries beyond the bounds."""
        if self.max_entries <= 0 or size > self.max_bytes // 4:
            return
        previous = self._entries.pop(key, None)
        if previous is not None:
            self.bytes -= previous[1]
        self._entries[key] = (value, size)
        self.bytes += size
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            _, (_, forgotten) = self._entries.popitem(last=False)
            self.bytes -= forgotten

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()
        self.bytes = 0


class AnswerCache:
    """Serialised answers by query job, valid for one data version of the store.

    ``max_bytes`` 0 (or ``max_entries`` 0) turns the cache off.
    """

    def __init__(self, *, max_entries: int = 4096, max_bytes: int = 64 * 1024 * 1024):
        self._answers: LruCache[QueryAnswer] = LruCache(
            max_entries=max_entries if max_bytes > 0 else 0, max_bytes=max_bytes
        )
        #: The data version every stored answer was computed at.
        self.version = 0

    def __len__(self) -> int:
        return len(self._answers)

    @property
    def bytes(self) -> int:
        """What the stored answers cost, by the cache's own accounting."""
        return self._answers.bytes

    def get(self, job: QueryJob, version: int) -> QueryAnswer | None:
        """Return the answer to ``job`` at data version ``version`` if one is stored."""
        self._follow(version)
        return self._answers.get(job)

    def put(self, job: QueryJob, answer: QueryAnswer, version: int) -> None:
        """Keep ``answer`` if its snapshot covers data version ``version``, the current one.

        An answer computed on an older snapshot (a write landed while it ran) is dropped.
        """
        self._follow(version)
        if answer.data_version != version:
            return
        size = len(answer.body) + len(job.query) + ENTRY_OVERHEAD
        self._answers.put(job, answer, size=size)

    def _follow(self, version: int) -> None:
        # Versions only grow: a new one means the data changed, and every answer is stale.
        if version != self.version:
            self._answers.clear()
            self.version = version
