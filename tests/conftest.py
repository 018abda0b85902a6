"""Fixtures: a loaded ontology, a fresh store, and a real Grasp server on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from grasp.assessment import Assessor
from grasp.config import PROJECT_ROOT, Settings
from grasp.ontology import load_ontology

CASES = Path(__file__).parent / "cases"


def case(name: str) -> Path:
    """Return the path of a test case file."""
    return CASES / name


def case_json(name: str) -> dict:
    """Return a JSON test case."""
    return json.loads(case(name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def ontology():
    """The shipped ontology, loaded once."""
    return load_ontology(Settings().ontology_paths)


@pytest.fixture(scope="session")
def assessor(ontology) -> Assessor:
    """An assessor over the shipped ontology."""
    return Assessor(ontology)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A `grasp serve` process on loopback, with the environment it was started with."""

    url: str
    env: dict[str, str]
    process: subprocess.Popen

    def client(self, **kwargs) -> httpx.Client:
        """Return an HTTP client bound to this server."""
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)

    def stop(self) -> None:
        """Stop the server and wait for it to exit."""
        self.process.terminate()
        self.process.wait(timeout=30)


def start_server(store: Path, **settings: str) -> Server:
    """Start `grasp serve` on a free port with GRASP_* settings; wait until it answers."""
    port = free_port()
    env = {**os.environ, "GRASP_STORE": str(store), "GRASP_PORT": str(port),
           "GRASP_HOST": "127.0.0.1", **{f"GRASP_{k.upper()}": v for k, v in settings.items()}}
    process = subprocess.Popen(
        [sys.executable, "-m", "grasp.cli", "serve"], cwd=PROJECT_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"grasp serve exited {process.returncode}:\n{process.stdout.read()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return Server(url, env, process)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("grasp serve did not answer within 60 s")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """A Grasp server on a fresh store, shared by the tests of one module."""
    running = start_server(tmp_path_factory.mktemp("store"))
    yield running
    running.stop()


@pytest.fixture
def client(server) -> Iterator[httpx.Client]:
    """An HTTP client of the module's server."""
    with server.client() as http:
        yield http
