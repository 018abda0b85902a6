"""Notice when the ontology files change, so the service can reload them without a restart.

:class:`OntologyWatcher` polls the modification times and sizes of the ontology files (the
files in a watched folder too, so a file added or removed counts) from a daemon thread. It
calls ``on_change`` once a change has settled: the same new state seen on two polls in a
row, so a file Protégé is still writing is not read half-way. Polling needs no extra
dependency and works on every file system, including bind mounts where inotify is silent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Self

from grasp.sources import CATALOG_NAME, ONTOLOGY_SUFFIXES

log = logging.getLogger(__name__)

#: path -> (modification time in ns, size); a missing path maps to None.
Snapshot = dict[Path, tuple[int, int] | None]


class OntologyWatcher:
    """Call ``on_change`` from a background thread when the watched ontology files change.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> watcher = OntologyWatcher([folder], on_change=lambda: None, interval=0.05)
    >>> watcher.start(); watcher.stop()
    """

    def __init__(
        self,
        paths: Sequence[Path],
        on_change: Callable[[], None],
        interval: float = 1.0,
    ) -> None:
        self.paths = [Path(path) for path in paths]
        self.on_change = on_change
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Take the current state as the baseline and start polling."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run,
            args=(snapshot(self.paths),),
            name="grasp-ontology-watcher",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop polling and wait for the thread to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(5.0, 5 * self.interval))
            self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self, current: Snapshot) -> None:
        pending: Snapshot | None = None
        while not self._stop.wait(self.interval):
            seen = snapshot(self.paths)
            if seen == current:
                pending = None
            elif seen != pending:
                pending = seen  # changed: wait one more poll for the writer to finish
            else:
                current, pending = seen, None
                try:
                    self.on_change()
                except Exception:  # the watcher must outlive a failed reload
                    log.exception("ontology reload after a file change failed")


def snapshot(paths: Sequence[Path]) -> Snapshot:
    """Return the modification time and size of every ontology file under ``paths``.

    >>> snapshot([Path("/no/such/file.ttl")])
    {PosixPath('/no/such/file.ttl'): None}
    """
    state: Snapshot = {}
    for path in paths:
        if path.is_dir():
            for child in sorted(path.iterdir()):
                # The catalog decides which files imports resolve to: a change there counts.
                if child.suffix.lower() in ONTOLOGY_SUFFIXES or child.name == CATALOG_NAME:
                    state[child] = _stamp(child)
        else:
            state[path] = _stamp(path)
    return state


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size
