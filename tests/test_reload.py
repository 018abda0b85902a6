"""The ontology watcher: one call per settled change, files in folders included."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from grasp.reload import OntologyWatcher, snapshot

INTERVAL = 0.05


class Calls:
    """Count on_change calls and let a test wait for the next one."""

    def __init__(self) -> None:
        self.count = 0
        self._event = threading.Event()

    def __call__(self) -> None:
        self.count += 1
        self._event.set()

    def wait(self, timeout: float = 3.0) -> bool:
        happened = self._event.wait(timeout)
        self._event.clear()
        return happened


def touch(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    # Some file systems keep mtimes coarse; move it on so the change is seen.
    stamp = time.time_ns() + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "grasp.ttl").write_text("# v1\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "change",
    [
        lambda f: touch(f / "grasp.ttl", "# v2, a longer file\n"),
        lambda f: touch(f / "extension.owl", "<x/>"),
        lambda f: (f / "grasp.ttl").unlink(),
        lambda f: touch(f / "catalog-v001.xml", "<catalog/>"),
    ],
    ids=["edited", "added", "removed", "catalog"],
)
def test_a_change_in_a_watched_folder_calls_on_change_once(folder, change):
    calls = Calls()
    with OntologyWatcher([folder], on_change=calls, interval=INTERVAL):
        change(folder)
        assert calls.wait()
        time.sleep(6 * INTERVAL)
    assert calls.count == 1


def test_a_watched_file_is_seen_too(folder):
    calls = Calls()
    with OntologyWatcher([folder / "grasp.ttl"], on_change=calls, interval=INTERVAL):
        touch(folder / "grasp.ttl", "# v2\n")
        assert calls.wait()


def test_other_files_do_not_count(folder):
    calls = Calls()
    with OntologyWatcher([folder], on_change=calls, interval=INTERVAL):
        touch(folder / "notes.txt", "not an ontology")
        assert not calls.wait(timeout=6 * INTERVAL)


def test_a_failing_reload_does_not_stop_the_watcher(folder):
    calls = Calls()

    def broken() -> None:
        calls()
        raise RuntimeError("the new ontology is broken")

    with OntologyWatcher([folder], on_change=broken, interval=INTERVAL):
        touch(folder / "grasp.ttl", "# broken\n")
        assert calls.wait()
        touch(folder / "grasp.ttl", "# fixed, and longer\n")
        assert calls.wait()
    assert calls.count == 2


def test_stop_ends_the_thread(folder):
    watcher = OntologyWatcher([folder], on_change=Calls(), interval=INTERVAL)
    watcher.start()
    thread = watcher._thread
    watcher.stop()
    assert thread is not None and not thread.is_alive()


def test_snapshot_lists_ontology_files_in_folders(folder):
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    assert set(snapshot([folder])) == {folder / "grasp.ttl"}
