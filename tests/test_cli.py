"""The `grasp` command, run as a user runs it."""

import json
import subprocess
import sys

from grasp.config import PROJECT_ROOT
from grasp.namespaces import expand

from conftest import case, case_json

GOLD = case_json("gold.expected.json")


def grasp(*args: str, stdin: bytes | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grasp.cli", *args], cwd=PROJECT_ROOT,
                          input=stdin, capture_output=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(PROJECT_ROOT), **env})


def test_assess_prints_the_same_json_as_the_api(tmp_path):
    result = grasp("assess", str(case("gold-en.json")), GRASP_STORE=str(tmp_path))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {level["iri"]: level["status"] for level in answer["levels"]} == {
        expand(k): v for k, v in GOLD["levels"].items()}
    assert answer["level"]["rank"] == 4


def test_assess_table_in_russian_from_stdin(tmp_path):
    result = grasp("assess", "-", "--table", "--lang", "ru",
                   stdin=case("gold-ru.json").read_bytes(), GRASP_STORE=str(tmp_path))
    assert result.returncode == 0, result.stderr
    table = result.stdout.decode()
    rows = [line for line in table.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [row.rsplit("|", 2)[1].strip() for row in rows] == ["❌", "❌", "✅", "✅", "🔄"]
    assert "Наивысший выполненный уровень: Архитектор" in table
    assert "Симуляции рассуждений" in table, "the explanation quotes the claims behind the verdict"


def test_assess_turtle_file(tmp_path):
    result = grasp("assess", str(case("gold.ttl")), "--table", GRASP_STORE=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Highest met level: Architect" in result.stdout.decode()


def test_assess_reports_invalid_claims_and_exits_1(tmp_path):
    result = grasp("assess", "-", stdin=b'{"subject": "a", "claims": []}', GRASP_STORE=str(tmp_path))
    assert result.returncode == 1
    assert "at least one claim" in result.stderr.decode()


def test_levels_lists_the_scale(tmp_path):
    result = grasp("levels", "--lang", "ru", GRASP_STORE=str(tmp_path))
    assert result.returncode == 0
    lines = result.stdout.decode().splitlines()
    assert lines[0].startswith("1. Потребитель")
    assert any("надстраивается" in line or "builds on" in line for line in lines)
