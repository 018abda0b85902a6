"""The REST API, over HTTP on loopback, against a real `grasp serve` and its store."""

import json
import subprocess
import sys

import pytest

from grasp.config import PROJECT_ROOT
from grasp.namespaces import expand

from conftest import case, case_json, start_server

GOLD = case_json("gold.expected.json")


def statuses(answer: dict) -> dict[str, str]:
    return {level["iri"]: level["status"] for level in answer["levels"]}


def stored_count(client) -> int:
    return len(client.get("/assessments", params={"limit": 200}).json()["items"])


@pytest.mark.parametrize("name", ["gold-en.json", "gold-ru.json", "gold-concepts.json"])
def test_gold_case_over_rest(client, name):
    answer = client.post("/assess", json=case_json(name), headers={"Accept-Language": "en"})
    assert answer.status_code == 201
    body = answer.json()
    assert statuses(body) == {expand(k): v for k, v in GOLD["levels"].items()}
    assert body["level"] == {"iri": expand("grasp:Architect"), "rank": 4, "label": "Architect"}
    assert answer.headers["location"] == "/assessments/" + body["assessment"].rpartition("/")[2]


def test_gold_case_in_turtle_over_rest(client):
    answer = client.post("/assess", content=case("gold.ttl").read_bytes(),
                         headers={"Content-Type": "text/turtle"})
    assert answer.status_code == 201
    assert answer.json()["level"]["iri"] == expand("grasp:Architect")


def test_labels_follow_accept_language(client):
    answer = client.post("/assess", json=case_json("gold-ru.json"),
                         headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert answer.json()["level"]["label"] == "Архитектор"


def test_answer_shows_the_evidence_for_each_claim(client):
    body = client.post("/assess", json=case_json("gold-en.json")).json()
    first = body["claims"][0]
    assert first["index"] == 0 and first["lang"] == "en"
    reading = next(c for c in first["concepts"] if c["concept"] == expand("grasp:OntologicalUnderstanding"))
    assert reading["stance"] == "affirms"
    start, end = reading["span"]
    assert reading["matched"].split()[0] in first["text"][start:end].lower()


def test_a_stored_assessment_reads_back_as_json_turtle_and_json_ld(client):
    created = client.post("/assess", json=case_json("gold-en.json")).json()
    location = "/assessments/" + created["assessment"].rpartition("/")[2]
    again = client.get(location).json()
    assert again["levels"] == created["levels"] and again["claims"] == created["claims"]
    turtle = client.get(location, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert "grasp:highestLevel grasp:Architect" in turtle.text
    json_ld = client.get(location, headers={"Accept": "application/ld+json"})
    assert json_ld.status_code == 200 and json_ld.json()


def test_assessments_are_listed_newest_first_and_paged(client):
    for name in ("gold-en.json", "gold-ru.json", "gold-concepts.json"):
        client.post("/assess", json=case_json(name))
    first = client.get("/assessments", params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next"]
    created = [item["created"] for item in first["items"]]
    assert created == sorted(created, reverse=True)
    second = client.get(first["next"]).json()
    assert first["items"][-1]["id"] != second["items"][0]["id"]


def test_unknown_assessment_is_404(client):
    assert client.get("/assessments/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/assessments/not-an-id").status_code == 404


def test_levels_concepts_ontology_and_health(client):
    levels = client.get("/levels").json()
    assert [level["rank"] for level in levels] == [1, 2, 3, 4, 5]
    creator = levels[4]
    assert creator["buildsOn"] == [expand("grasp:Architect")]
    concepts = {c["iri"]: c for c in client.get("/concepts").json()}
    assert "local priority" in concepts[expand("grasp:OntologicalUnderstanding")]["indicators"]["en"]
    turtle = client.get("/ontology")
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert "grasp:Architect" in turtle.text
    rdf_xml = client.get("/ontology", headers={"Accept": "application/rdf+xml"})
    assert rdf_xml.text.lstrip().startswith("<?xml")
    assert client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["ontologyVersion"].startswith("https://w3id.org/grasp/ontology/")
    assert health["pendingWrites"] >= 0 and "storeError" not in health
    assert client.get("/docs").status_code == 200
    assert "/assess" in client.get("/openapi.json").json()["paths"]


# Bad input: each refusal names what is wrong and stores nothing.

BAD_REQUESTS = [
    pytest.param(b'{"subject": "a", "claims": [', "application/json", 400, "line 1", id="malformed-json"),
    pytest.param(b"[] a <urn:x> ; <urn:p> \"open .", "text/turtle", 400, "line 1", id="malformed-turtle"),
    pytest.param(b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'a'>]><x/>", "application/rdf+xml", 400, "DOCTYPE", id="rdf-xml-doctype"),
    pytest.param(b'{"@context": "http://127.0.0.1:9/c", "@id": "urn:x"}', "application/ld+json", 400, "inline", id="json-ld-remote-context"),
    pytest.param(b"subject=alice", "application/x-www-form-urlencoded", 415, "application/json", id="form-body"),
    pytest.param(b'{"subject": "a", "claims": []}', "application/json", 422, "at least one claim", id="no-claims"),
    pytest.param(b'{"subject": "a", "claims": [{"concept": "grasp:Nope", "stance": "affirms"}]}', "application/json", 422, "claims[0].concept", id="unknown-concept"),
    pytest.param(b'{"subject": "a", "claims": [{"concept": "grasp:EmergenceContext"}]}', "application/json", 422, "needs a stance", id="missing-stance"),
    pytest.param(b'{"subject": "a", "claims": [{"concept": "grasp:EmergenceContext", "stance": "maybe"}]}', "application/json", 422, "claims[0].stance", id="bad-stance"),
    pytest.param(b'{"subject": "a", "claims": [{"text": "x", "confidence": 1.5}]}', "application/json", 422, "claims[0].confidence", id="confidence-out-of-range"),
    pytest.param(b'{"subject": "a", "claims": [{}]}', "application/json", 422, "text or a concept", id="empty-claim"),
    pytest.param(b'{"claims": [{"text": "x"}]}', "application/json", 422, "subject", id="missing-subject"),
    pytest.param(b'{"subject": "a", "claims": [{"text": "x", "lang": "12 34"}]}', "application/json", 422, "claims[0].lang", id="bad-lang"),
]


@pytest.mark.parametrize("body, content_type, status, mentions", BAD_REQUESTS)
def test_bad_input_is_refused_clearly_and_stores_nothing(client, body, content_type, status, mentions):
    before = stored_count(client)
    answer = client.post("/assess", content=body, headers={"Content-Type": content_type})
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert mentions in json.dumps(answer.json(), ensure_ascii=False)
    assert stored_count(client) == before


def test_shacl_report_lists_focus_path_value_and_message(client):
    answer = client.post("/assess", json={"subject": "a", "claims": [
        {"concept": "grasp:EmergenceContext", "stance": "maybe"}]})
    violation = answer.json()["violations"][0]
    assert violation["field"] == "claims[0].stance"
    assert violation["path"] == expand("grasp:stance")
    assert violation["value"] == expand("grasp:Maybe")
    assert "grasp:Affirms or grasp:Denies" in violation["message"]


def test_a_body_over_the_limit_is_413_and_stores_nothing(tmp_path):
    running = start_server(tmp_path / "store", max_body_bytes="2000")
    try:
        with running.client() as client:
            big = {"subject": "a", "claims": [{"text": "word " * 1000}]}
            answer = client.post("/assess", json=big)
            assert answer.status_code == 413
            assert "GRASP_MAX_BODY_BYTES" in answer.json()["detail"]
            assert stored_count(client) == 0
    finally:
        running.stop()


def test_an_assessment_survives_a_restart(tmp_path):
    store = tmp_path / "store"
    first = start_server(store)
    try:
        with first.client() as client:
            created = client.post("/assess", json=case_json("gold-ru.json")).json()
            # Stopped right after answering: the writes that end after the answer still land.
            for _ in range(20):
                assert client.post("/assess", json=case_json("gold-en.json")).status_code == 201
    finally:
        first.stop()
    second = start_server(store)
    try:
        with second.client() as client:
            again = client.get("/assessments/" + created["assessment"].rpartition("/")[2])
            assert again.status_code == 200
            assert again.json()["level"]["iri"] == expand("grasp:Architect")
            assert again.json()["claims"] == created["claims"]
            assert stored_count(client) == 21
    finally:
        second.stop()


def test_with_synchronous_writes_the_answer_comes_after_the_write(tmp_path):
    server = start_server(tmp_path / "store", write_behind="false")
    try:
        with server.client() as client:
            created = client.post("/assess", json=case_json("gold-en.json"))
            assert created.status_code == 201
            assert client.get(created.headers["location"]).status_code == 200
            assert client.get("/health").json()["pendingWrites"] == 0
    finally:
        server.stop()


def test_an_extension_ontology_changes_the_assessment_without_code(tmp_path):
    extension = case("extension-sixth-level.ttl")
    running = start_server(tmp_path / "store", ontology=f"ontology:{extension}")
    try:
        with running.client() as client:
            request = case_json("gold-concepts.json")
            request["claims"] += [{"concept": "grasp:PostSymbolicView", "stance": "affirms"},
                                  {"text": "I reflect on how my own understanding was formed."}]
            body = client.post("/assess", json=request).json()
            assert body["level"] == {"iri": "https://example.org/grasp-extension#Sage", "rank": 6,
                                     "label": "Sage"}
            assert len(client.get("/levels").json()) == 6
    finally:
        running.stop()


def test_a_broken_ontology_refuses_to_start_with_a_report(tmp_path):
    env_store = tmp_path / "store"
    broken = case("broken-duplicate-rank.ttl")
    result = subprocess.run(
        [sys.executable, "-m", "grasp.cli", "serve", "--port", "0"], cwd=PROJECT_ROOT,
        env={"GRASP_STORE": str(env_store), "GRASP_ONTOLOGY": f"ontology:{broken}",
             "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "Impostor" in result.stderr
    assert "share this rank" in result.stderr
    assert "declared concept" in result.stderr
    assert not env_store.exists(), "nothing is written before the ontology is accepted"


def test_without_accept_language_the_answer_follows_the_claims_language(client):
    body = client.post("/assess", json=case_json("gold-ru.json")).json()
    assert body["level"]["label"] == "Архитектор"
    assert body["explanation"].startswith("Наивысший")
