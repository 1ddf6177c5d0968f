"""manage.py talent_match: the issue's file formats, and malformed input refused by name."""

import copy
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

REPO = Path(__file__).resolve().parents[3]

GOOD = {
    "format": "tongchou-talent/1",
    "talents": [
        {
            "id": "a",
            "skills": ["法律", "电商"],
            "lat": 39.0,
            "lon": 106.4,
            "max_km": 50,
            "available": [0, 30],
            "capacity": 2,
        },
        {"id": 7, "skills": ["法律"], "lat": 39.2, "lon": 106.4, "max_km": 5, "available": [0, 9]},
    ],
    "needs": [
        {
            "id": "n1",
            "skill": "法律",
            "lat": 39.1,
            "lon": 106.4,
            "period": [1, 5],
            "slots": 2,
            "priority": 3,
        },
        {
            "id": "n2",
            "skill": "电商",
            "lat": 39.0,
            "lon": 106.5,
            "period": [10, 30],
            "slots": 1,
            "priority": 1,
        },
        {
            "id": "n3",
            "skill": "医疗",
            "lat": 39.0,
            "lon": 106.5,
            "period": [10, 12],
            "slots": 1,
            "priority": 9,
        },
    ],
}


def run(tmp_path, data):
    src, dst = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    call_command("talent_match", scenario=str(src), out=str(dst), stdout=io.StringIO())
    return json.loads(dst.read_text(encoding="utf-8"))


def test_the_issue_formats(tmp_path):
    out = run(tmp_path, GOOD)
    assert out == {
        "assignments": [
            {"talent": "a", "need": "n1", "km": 11.119},
            {"talent": "a", "need": "n2", "km": 8.641},
        ],
        "unfilled": [
            # 7 is 11.1 km away with a 5 km limit; a already fills one of n1's two slots.
            {"need": "n1", "slots": 1, "reason": "taken"},
            {"need": "n3", "slots": 1, "reason": "no_skill"},
        ],
    }


def bad(mutate):
    data = copy.deepcopy(GOOD)
    mutate(data)
    return data


def _set(path, value):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


CASES = [
    (_set(["talents", 1, "id"], "a"), "talents[1] (id \"a\"): field 'id': duplicate"),
    (_set(["needs", 2, "id"], "n1"), "needs[2] (id \"n1\"): field 'id': duplicate"),
    (_set(["talents", 0, "lat"], float("nan")), "talents[0] (id \"a\"): field 'lat': must be fin"),
    (_set(["needs", 0, "lon"], float("inf")), "needs[0] (id \"n1\"): field 'lon': must be finite"),
    (_set(["talents", 1, "lat"], 91), "talents[1] (id 7): field 'lat': must be between -90 and 90"),
    (_set(["needs", 1, "lon"], -181), "needs[1] (id \"n2\"): field 'lon': must be between"),
    (_set(["talents", 0, "capacity"], -1), "talents[0] (id \"a\"): field 'capacity': must be"),
    (_set(["talents", 0, "capacity"], 1.5), "field 'capacity': must be an integer"),
    (_set(["needs", 0, "slots"], 0), "needs[0] (id \"n1\"): field 'slots': must be an integer"),
    (_set(["needs", 0, "period"], [5, 1]), "needs[0] (id \"n1\"): field 'period': ends (1)"),
    (_set(["talents", 0, "available"], [3, 2]), "field 'available': ends (2) before"),
    (_set(["talents", 0, "available"], [0]), "field 'available': must be a list of two days"),
    (_set(["needs", 0, "period"], [0, "5"]), "field 'period': day 1 must be an integer"),
    (_set(["talents", 0, "skills"], ["法律", ""]), "field 'skills': skill 1 must be a non-empty"),
    (_set(["talents", 0, "skills"], "法律"), "field 'skills': must be a list"),
    (_set(["needs", 0, "skill"], 3), "needs[0] (id \"n1\"): field 'skill': must be a non-empty"),
    (_set(["talents", 0, "max_km"], -2), "field 'max_km': must be between 0"),
    (_set(["talents", 0, "max_km"], True), "field 'max_km': must be a number, not a boolean"),
    (_set(["needs", 0, "priority"], 0), "field 'priority': must be an integer from 1"),
    (_set(["talents", 0, "id"], ""), "talents[0]: field 'id': must be a non-empty string"),
    (_set(["talents", 0, "speed"], 3), "talents[0] (id \"a\"): field 'speed': unknown field"),
    (_delete(["needs", 1, "slots"]), "needs[1] (id \"n2\"): field 'slots': missing"),
    (_delete(["talents", 1, "max_km"]), "talents[1] (id 7): field 'max_km': missing"),
    (_delete(["needs"]), "scenario: field 'needs': missing"),
    (_set(["format"], "tongchou-talent/2"), "scenario: field 'format': must be"),
    (_set(["talents"], {}), "scenario: field 'talents': must be a list"),
    (_set(["needs", 0], []), "needs[0]: must be an object"),
]


@pytest.mark.parametrize(("mutate", "message"), CASES)
def test_malformed_input_named_exit_2(tmp_path, mutate, message):
    dst = tmp_path / "out.json"
    with pytest.raises(CommandError) as caught:
        run(tmp_path, bad(mutate))
    assert message in str(caught.value)
    assert caught.value.returncode == 2
    assert not dst.exists()


def test_not_json(tmp_path):
    with pytest.raises(CommandError) as caught:
        run(tmp_path, '{"format": "tongchou-talent/1", "talents": [')
    assert "not valid JSON" in str(caught.value) and caught.value.returncode == 2


def test_the_process_exits_2_with_the_message(tmp_path):
    src = tmp_path / "in.json"
    src.write_text(json.dumps(bad(_set(["talents", 0, "lat"], float("nan")))), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "manage.py", "talent_match", "--scenario", src, "--out", tmp_path / "o"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "talents[0] (id \"a\"): field 'lat': must be finite, not nan" in done.stderr
    assert not (tmp_path / "o").exists()
