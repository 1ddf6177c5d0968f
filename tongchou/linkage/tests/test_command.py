"""``python manage.py linkage_plan``: the files of tongchou-linkage/1 and exit status 2 on bad
input (nothing written)."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongchou.linkage import generate

from .test_planner import buyer, lot, order, scenario


def test_plan_file_in_file_out(tmp_path):
    data = scenario(
        [lot("L1", 100), lot("L2", 50, day=6, shelf=2, lon=106.5)],
        [buyer("B1", lat=39.01)],
        [order("O1", "B1", 60, day=2), order("O2", "B1", 60, day=7)],
    )
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("linkage_plan", scenario=str(source), out=str(target))
    out = json.loads(target.read_text(encoding="utf-8"))
    assert set(out) == {"shipments", "unshipped", "loss", "baseline_loss"}
    assert out["shipments"] == [
        {"lot": "L1", "order": "O1", "kg": 60},
        {"lot": "L2", "order": "O2", "kg": 50},
    ]
    assert out["unshipped"] == [{"lot": "L1", "kg": 40, "reason": "demand_met"}]
    assert out["loss"] == pytest.approx(40 / 150)
    # without coordination the buyer (5 km radius) never hears of L2, 8.6 km away
    assert out["baseline_loss"] == pytest.approx(90 / 150)


def test_a_generated_scenario_goes_through(tmp_path):
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(generate.scenario("small")), encoding="utf-8")
    call_command("linkage_plan", scenario=str(source), out=str(target))
    out = json.loads(target.read_text(encoding="utf-8"))
    assert out["loss"] < out["baseline_loss"]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('{"format": "tongchou-linkage/1"', "not valid JSON"),
        ("[]", "'format'"),
        ("BAD", "not valid JSON"),
    ],
)
def test_unreadable_input_exits_2(tmp_path, text, named):
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("linkage_plan", scenario=str(source), out=str(target))
    assert caught.value.returncode == 2
    assert named in str(caught.value)
    assert not target.exists()


def test_bad_item_exits_2_naming_item_and_field(tmp_path):
    data = scenario([lot("L1", 10)], [buyer("B1")], [order("O1", "B9", 5)])
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("linkage_plan", scenario=str(source), out=str(target))
    assert caught.value.returncode == 2
    assert "orders[0] (id 'O1'): field 'buyer'" in str(caught.value)
    assert not target.exists()


def test_missing_file_exits_2(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command(
            "linkage_plan", scenario=str(tmp_path / "none.json"), out=str(tmp_path / "o.json")
        )
    assert caught.value.returncode == 2
