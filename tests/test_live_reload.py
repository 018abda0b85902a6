"""Live reload: the running service follows the ontology files, and refuses broken edits.

The README chapter "Extend Grasp in Protégé" edit is saved by the OWL API (Protégé's own
writer) as RDF/XML, OWL/XML and Turtle over the served ontology file; the running service
picks up each without a restart and assesses exactly as with the Turtle original.
"""

from __future__ import annotations

import shutil
import time

import pytest

from grasp import owlapi
from grasp.assessment import Assessor
from grasp.claims import AssessRequest, from_json
from grasp.config import PROJECT_ROOT
from grasp.ontology import load_ontology

from conftest import case, start_server
from test_protege_roundtrip import EXTENSION

ADMIN_TOKEN = "s3cret-admin"
NEW_CONCEPT = "https://w3id.org/grasp/ontology#AttentionAsPriority"
CLAIMS = {"subject": "ivan", "claims": [
    {"text": "Attention is a priority in the collapse of language."},
    {"text": "I separate the model from its behaviour."},
    {"text": "Simulations of reasoning come from the pressure of structure."},
]}


def architect_requires(client) -> set[str]:
    levels = client.get("/levels").json()
    return {r["concept"] for level in levels if level["rank"] == 4 for r in level["requires"]}


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError("the service did not reload in time")


def verdict(answer: dict) -> list:
    return [(level["iri"], level["status"], [(r["concept"], r["satisfied"], r["evidence"])
                                             for r in level["requirements"]])
            for level in answer["levels"]]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    served = tmp_path_factory.mktemp("served")
    for name in ("grasp.ttl", "catalog-v001.xml"):
        shutil.copy(PROJECT_ROOT / "ontology" / name, served / name)
    edited = tmp_path_factory.mktemp("edited") / "grasp.ttl"
    edited.write_text((PROJECT_ROOT / "ontology" / "grasp.ttl").read_text(encoding="utf-8")
                      + EXTENSION, encoding="utf-8")
    return served, edited


@pytest.fixture(scope="module")
def running(folders, tmp_path_factory):
    served, _ = folders
    server = start_server(tmp_path_factory.mktemp("store"), ontology=str(served),
                          admin_token=ADMIN_TOKEN)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def expected(folders) -> list:
    _, edited = folders
    assessment = Assessor(load_ontology([edited])).assess(
        from_json(AssessRequest(**CLAIMS), base_iri="https://w3id.org/grasp/data/"))
    return verdict(assessment.to_json(Assessor(load_ontology([edited])).ontology))


@pytest.mark.parametrize("fmt", [
    owlapi.SaveFormat.RDF_XML, owlapi.SaveFormat.OWL_XML, owlapi.SaveFormat.TURTLE],
    ids=lambda f: f.value)
def test_each_format_protege_saves_is_picked_up_without_restart(running, folders, expected, fmt, tmp_path):
    served, edited = folders
    with running.client() as client:
        shutil.copy(PROJECT_ROOT / "ontology" / "grasp.ttl", served / "grasp.ttl")
        wait_for(lambda: NEW_CONCEPT not in architect_requires(client))
        saved = owlapi.convert(edited, tmp_path / "saved", fmt)
        shutil.copy(saved, served / "grasp.ttl")  # Grasp reads the content, not the name
        wait_for(lambda: NEW_CONCEPT in architect_requires(client))
        answer = client.post("/assess", json=CLAIMS).json()
        assert verdict(answer) == expected
        architect = next(level for level in answer["levels"] if level["rank"] == 4)
        new = next(r for r in architect["requirements"] if r["concept"] == NEW_CONCEPT)
        assert new["satisfied"] and new["evidence"] == [0]


def test_a_broken_edit_is_refused_and_the_old_ontology_keeps_serving(running, folders):
    served, _ = folders
    with running.client() as client:
        before = client.get("/levels").json()
        good = (served / "grasp.ttl").read_text(encoding="utf-8")
        broken = good + case("broken-duplicate-rank.ttl").read_text(encoding="utf-8").split(
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .", 1)[1]
        (served / "grasp.ttl").write_text(
            "@prefix ext: <https://example.org/grasp-broken#> .\n" + broken, encoding="utf-8")
        answer = client.post("/admin/reload", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert answer.status_code == 422
        assert "Impostor" in answer.json()["detail"]
        assert "share this rank" in answer.json()["detail"]
        time.sleep(3)  # the watcher sees the same edit and must refuse it too
        assert client.get("/levels").json() == before
        assert client.post("/assess", json=CLAIMS).status_code == 201
        (served / "grasp.ttl").write_text(good, encoding="utf-8")


def test_admin_reload_needs_the_token(running):
    with running.client() as client:
        assert client.post("/admin/reload").status_code == 401
        assert client.post("/admin/reload", headers={"Authorization": "Bearer wrong"}).status_code == 401
        answer = client.post("/admin/reload", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert answer.status_code == 200
        assert answer.json()["version"] == client.get("/ontology", headers={"Accept": "application/json"}).json()["version"]


def test_admin_endpoints_are_off_without_a_token(server):
    with server.client() as client:
        assert client.post("/admin/reload").status_code == 404
