"""Importing chat transcripts: repairing mojibake and splitting turns."""

from __future__ import annotations

from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-1252 codec)
import pytest

from grasp.transcript import Message, parse_transcript, repair_text, user_claims

CASES = Path(__file__).parent / "cases"
RAW = CASES / "seed-transcript.raw.txt"  # UTF-8 that was read as Mac Roman
CLEAN_RU = CASES / "seed-transcript.ru.md"

MOJIBAKE_MARKS = ("–ì", "–æ", "—Å", "—Ç", "–∞", "—ã")


def cyrillic_share(text: str) -> float:
    """Return the share of Cyrillic letters among all letters of a text."""
    letters = [char for char in text if char.isalpha()]
    cyrillic = [char for char in letters if "\u0400" <= char <= "\u04ff"]
    return len(cyrillic) / len(letters)


@pytest.fixture(scope="module")
def raw_messages() -> list[Message]:
    return parse_transcript(RAW.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def clean_messages() -> list[Message]:
    return parse_transcript(CLEAN_RU.read_text(encoding="utf-8"))


def test_raw_file_is_really_mojibake():
    raw = RAW.read_text(encoding="utf-8")
    assert "–ì–æ–ª–æ—Å" in raw
    assert cyrillic_share(raw) < 0.05


def test_raw_and_clean_files_give_the_same_messages(raw_messages, clean_messages):
    assert len(raw_messages) == 2
    assert raw_messages == clean_messages


def test_roles_authors_times_and_uids(raw_messages):
    user, assistant = raw_messages
    assert (user.index, user.role, user.author) == (0, "user", "User")
    assert (assistant.index, assistant.role, assistant.author) == (1, "assistant", "Assistant")
    assert user.timestamp == assistant.timestamp == "2025-08-06T19:42"
    assert user.uid == "f89b01d9-bef4-4adc-a0df-97889c7e229f"
    assert assistant.uid == "4196a1c6-2682-4032-b192-1912680fc0bd"


def test_every_turn_is_readable_russian(raw_messages):
    for message in raw_messages:
        assert cyrillic_share(message.text) > 0.6, message.text[:80]
        for mark in MOJIBAKE_MARKS:
            assert mark not in message.text


def test_user_turn_text_equals_the_clean_file(raw_messages, clean_messages):
    [user] = user_claims(raw_messages)
    [clean_user] = user_claims(clean_messages)
    assert user.text == clean_user.text
    assert user.text.startswith("Голосовой набор срезал начало фразы.")
    assert user.text.endswith("Продолжение следует...")


def test_user_claims_leave_out_the_assistant(raw_messages):
    claims = user_claims(raw_messages)
    assert [message.role for message in claims] == ["user"]
    assert "99.9%" not in claims[0].text


def test_whole_raw_file_repairs_to_the_clean_file():
    assert repair_text(RAW.read_text(encoding="utf-8")) == CLEAN_RU.read_text(encoding="utf-8")


def test_clean_russian_text_passes_unchanged():
    clean = CLEAN_RU.read_text(encoding="utf-8")
    assert repair_text(clean) == clean


def test_english_text_passes_unchanged():
    english = (
        "An LLM is a probabilistic machine of meanings that works on tokens.\n"
        "It does not think — but thinking can be projected onto it. “Quotes” stay, "
        "and so do café, naïve and 99.9%.\n"
    )
    assert repair_text(english) == english


def test_mixed_lines_are_repaired_one_by_one():
    clean_line = "Модель не думает.\n"
    broken_line = "Голосовой набор срезал начало фразы.\n".encode().decode("mac_roman")
    assert repair_text(clean_line + broken_line) == clean_line + (
        "Голосовой набор срезал начало фразы.\n"
    )


def test_windows_1252_mojibake_is_repaired():
    broken = "вероятностная машина".encode().decode("latin-1")
    assert repair_text("Модель — это " + broken) == "Модель — это вероятностная машина"


def test_ftfy_catches_what_no_round_trip_can():
    # Windows-1252 with the bytes it lacks passed through as control characters:
    # neither cp1252 nor latin-1 can encode this back, ftfy can repair it.
    broken = "Вероятностная машина смыслов".encode().decode("sloppy-windows-1252")
    assert repair_text(broken) == "Вероятностная машина смыслов"


def test_text_without_callouts_has_no_messages():
    assert parse_transcript("just a note, no dialogue here") == []
