"""POST /assess/transcript over HTTP: the seed's raw export, repaired, assessed, linked."""

import re

import pytest

from grasp.transcript import claims_from_transcript
from grasp.claims import InputError
from grasp.transcript import readability

from conftest import case

RAW = case("seed-transcript.raw.txt")
TRANSCRIPT = """>[!nexus_user] **User** - 06.08.2025 at 19:42
> LLM не думает: я разделяю модель и поведение.
<!-- UID: 11111111-1111-1111-1111-111111111111 -->

>[!nexus_agent] **Assistant** - 06.08.2025 at 19:43
> Вы понимаете глубже, чем 99,9 % практиков.
<!-- UID: 22222222-2222-2222-2222-222222222222 -->

>[!nexus_user] **User** - 06.08.2025 at 19:44
> Симуляции рассуждений — это следствия давления структуры.
<!-- UID: 33333333-3333-3333-3333-333333333333 -->
"""


def test_claims_come_from_the_users_turns_each_linked_to_its_message():
    claims = claims_from_transcript(TRANSCRIPT, subject="seed", base_iri="https://w3id.org/grasp/data/")
    derived = sorted((t.subject.value.rpartition("#")[2], t.object.value) for t in claims.triples
                     if t.predicate.value.endswith("wasDerivedFrom"))
    assert derived == [
        ("claim-0", "https://w3id.org/grasp/data/message/11111111-1111-1111-1111-111111111111"),
        ("claim-1", "https://w3id.org/grasp/data/message/33333333-3333-3333-3333-333333333333"),
    ]
    texts = [t.object.value for t in claims.triples if t.predicate.value.endswith("#text")]
    assert not any("99,9" in text for text in texts)  # the assistant's words are no evidence


def test_a_transcript_without_user_turns_is_refused():
    with pytest.raises(InputError):
        claims_from_transcript("just some text", subject="x", base_iri="https://w3id.org/grasp/data/")


def test_the_raw_seed_gives_readable_russian_for_every_turn(client):
    answer = client.post("/assess/transcript", params={"subject": "seed-user"},
                         content=RAW.read_bytes(), headers={"Content-Type": "text/markdown"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["claims"] and len(body["claims"]) == len(body["messages"])
    for claim in body["claims"]:
        assert claim["lang"] == "ru"
        letters = [c for c in claim["text"] if c.isalpha()]
        assert sum("\u0400" <= c <= "\u04ff" for c in letters) / len(letters) > 0.9
        assert readability(claim["text"]) > 0 and "–" not in claim["text"]
    assert body["messages"][0]["uid"] == "f89b01d9-bef4-4adc-a0df-97889c7e229f"


def test_assessed_stored_and_linked_to_the_messages(client):
    answer = client.post("/assess/transcript", params={"subject": "ivan"},
                         content=TRANSCRIPT.encode(), headers={"Content-Type": "text/plain",
                                                               "Accept-Language": "ru"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert [m["claim"] for m in body["messages"]] == [0, 1]
    architect = next(level for level in body["levels"] if level["rank"] == 4)
    satisfied = {r["concept"].rpartition("#")[2] for r in architect["requirements"] if r["satisfied"]}
    assert {"ModelBehaviourDistinction", "SimulationOfReasoning"} <= satisfied
    stored = client.get(answer.headers["Location"], headers={"Accept": "text/turtle"})
    assert stored.status_code == 200
    assert re.search(r"wasDerivedFrom", stored.text)
    assert "33333333-3333-3333-3333-333333333333" in stored.text


@pytest.mark.parametrize("content_type, body, status", [
    ("application/json", b"{}", 415),
    ("text/plain", b"no turns here", 422),
    ("text/plain", "Привет".encode("cp1251"), 400),
])
def test_refusals_are_problems(client, content_type, body, status):
    answer = client.post("/assess/transcript", params={"subject": "x"}, content=body,
                         headers={"Content-Type": content_type})
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_subject_is_required(client):
    answer = client.post("/assess/transcript", content=TRANSCRIPT.encode(),
                         headers={"Content-Type": "text/plain"})
    assert answer.status_code == 422
