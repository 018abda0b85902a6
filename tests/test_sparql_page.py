"""The query page in headless Chromium: type a query, run it, see rows.

Needs Debian's ``chromium`` (installed by .ci/run); skipped where it is missing. Chromium is
driven over the DevTools protocol with the ``websockets`` client that uvicorn already brings.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import httpx
import pytest
from test_sparql_support import free_port, server  # noqa: F401

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


class Browser:
    """One headless Chromium page, driven by DevTools protocol commands."""

    def __init__(self, profile):
        from websockets.sync.client import connect

        port = free_port()
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", f"--remote-debugging-port={port}",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        pages = []
        for _ in range(100):
            try:
                pages = [t for t in httpx.get(f"http://127.0.0.1:{port}/json").json()
                         if t["type"] == "page"]
                if pages:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.socket = connect(pages[0]["webSocketDebuggerUrl"], max_size=None, legacy=True)
        self.next_id = 0

    def command(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message["result"]

    def evaluate(self, expression: str):
        result = self.command("Runtime.evaluate", expression=expression, awaitPromise=True,
                              returnByValue=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, seconds: float = 10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}")

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def browser(tmp_path):
    running = Browser(tmp_path / "profile")
    yield running
    running.close()


def test_type_a_query_run_it_see_rows(server, browser, tmp_path):
    browser.command("Page.enable")
    browser.command("Page.navigate", url=server.sparql)
    browser.wait_for("document.readyState === 'complete' && document.getElementById('run') !== null")
    # The examples from queries/examples are offered.
    options = browser.wait_for(
        "document.querySelectorAll('#examples option').length > 3 && "
        "[...document.querySelectorAll('#examples option')].map(o => o.value)")
    assert "levels-and-requirements" in options
    # Type a query (as a user would, through the editor) and run it.
    browser.evaluate("document.getElementById('query').focus(); "
                     "document.getElementById('query').select()")
    browser.command("Input.insertText", text=(
        "PREFIX grasp: <https://w3id.org/grasp/ontology#>\n"
        "SELECT ?level ?rank WHERE { ?level a grasp:Level ; grasp:rank ?rank } ORDER BY ?rank"))
    browser.evaluate("document.getElementById('run').click()")
    rows = browser.wait_for(
        "document.querySelectorAll('#results tbody tr').length > 0 && "
        "[...document.querySelectorAll('#results tbody tr')].map(r => r.innerText)")
    assert len(rows) == 2 and "Researcher" in rows[0] and "Architect" in rows[1]
    assert "2 rows" in browser.evaluate("document.getElementById('status').textContent")
    # An example query runs too, and a refused query shows its message.
    browser.evaluate("const s = document.getElementById('examples'); "
                     "s.value = 'assessments-per-level'; s.dispatchEvent(new Event('change')); "
                     "document.getElementById('run').click()")
    browser.wait_for("!document.getElementById('run').disabled && "
                     "document.querySelectorAll('#results th').length === 3")
    browser.evaluate("document.getElementById('query').value = "
                     "'SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }'; "
                     "document.getElementById('run').click()")
    message = browser.wait_for("document.getElementById('status').className === 'error' && "
                               "document.getElementById('status').textContent")
    assert message.startswith("400") and "SERVICE" in message
    shot = browser.command("Page.captureScreenshot", format="png")
    (tmp_path / "query-page.png").write_bytes(__import__("base64").b64decode(shot["data"]))
