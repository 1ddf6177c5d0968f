"""The ``tongchou-talent/1`` scenario files of ``manage.py talent_match`` (plain Python).

IN::

    {"format": "tongchou-talent/1",
     "talents": [{"id", "skills": [...], "lat", "lon", "max_km", "available": [first, last],
                  "capacity"}],
     "needs": [{"id", "skill", "lat", "lon", "period": [first, last], "slots", "priority"}]}

OUT::

    {"assignments": [{"talent", "need", "km"}], "unfilled": [{"need", "slots", "reason"}]}

Days are integers; ``capacity`` may be left out (1). A talent may also carry ``"busy": [[first,
last], ...]``, periods already taken by existing assignments (the app's rounds use it; the issue's
format is the rest). Every other field is required and checked; the first problem found is
raised as :class:`ScenarioError` naming the item (position and id) and the field.

Definitions of what is malformed: ids are non-empty strings or integers, unique among talents
and among needs; skills non-empty strings (a need's skill nobody has is not an error: it is
reported unfilled, ``no_skill``); coordinates finite, latitude in [-90, 90], longitude in
[-180, 180]; ``max_km`` a finite number ≥ 0; ``capacity`` an integer ≥ 0; ``slots`` and
``priority`` integers ≥ 1; days integers with first ≤ last. Booleans are not numbers.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from tongchou.talent.matching import FORMAT, Need, Result, Talent

MAX_DAY = 10**7  # days since some epoch; keeps the arithmetic far from overflow
MAX_INT = 10**9  # capacities, slots, priorities


class ScenarioError(ValueError):
    def __init__(self, where: str, field: str, message: str):
        self.where, self.field, self.message = where, field, message
        super().__init__(f"{where}: field '{field}': {message}" if field else f"{where}: {message}")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


class _Item:
    def __init__(self, kind: str, index: int, raw):
        self.kind, self.index, self.raw = kind, index, raw
        ident = raw.get("id") if isinstance(raw, dict) else None
        shown = f" (id {json.dumps(ident, ensure_ascii=False)})" if _is_id(ident) else ""
        self.where = f"{kind}[{index}]{shown}"

    def fail(self, field: str, message: str):
        raise ScenarioError(self.where, field, message)

    def get(self, field: str, *, default=...):
        if field not in self.raw:
            if default is not ...:
                return default
            self.fail(field, "missing")
        return self.raw[field]

    def number(self, field: str, lo: float, hi: float) -> float:
        v = self.get(field)
        if not _is_number(v):
            self.fail(field, f"must be a number, not {_kind(v)}")
        if not math.isfinite(v):
            self.fail(field, f"must be finite, not {v}")
        if not lo <= v <= hi:
            self.fail(field, f"must be between {lo:g} and {hi:g}, not {v}")
        return float(v)

    def integer(self, field: str, lo: int, *, default=...) -> int:
        v = self.get(field, default=default)
        if not _is_int(v):
            self.fail(field, f"must be an integer, not {_kind(v)}")
        if not lo <= v <= MAX_INT:
            self.fail(field, f"must be an integer from {lo} to {MAX_INT:,}, not {v}")
        return v

    def days(self, field: str) -> tuple[int, int]:
        v = self.get(field)
        if not isinstance(v, list) or len(v) != 2:
            self.fail(field, "must be a list of two days [first_day, last_day]")
        return self._range(field, v)

    def _range(self, field: str, v) -> tuple[int, int]:
        for pos, d in enumerate(v):
            if not _is_int(d):
                self.fail(field, f"day {pos} must be an integer, not {_kind(d)}")
            if abs(d) > MAX_DAY:
                self.fail(field, f"day {pos} out of range ({d})")
        if v[1] < v[0]:
            self.fail(field, f"ends ({v[1]}) before it starts ({v[0]})")
        return int(v[0]), int(v[1])

    def only(self, allowed: set[str]) -> None:
        extra = sorted(set(self.raw) - allowed)
        if extra:
            self.fail(extra[0], "unknown field")


def _is_id(v) -> bool:
    return (isinstance(v, str) and v.strip() != "") or _is_int(v)


def _kind(v) -> str:
    if v is None:
        return "null"
    return {bool: "a boolean", str: "a string", list: "a list", dict: "an object"}.get(
        type(v), repr(v)
    )


TALENT_FIELDS = {"id", "skills", "lat", "lon", "max_km", "available", "capacity", "busy"}
NEED_FIELDS = {"id", "skill", "lat", "lon", "period", "slots", "priority"}


def parse(data) -> tuple[list[Talent], list[Need]]:
    if not isinstance(data, dict):
        raise ScenarioError("scenario", "", "must be a JSON object")
    if data.get("format") != FORMAT:
        raise ScenarioError("scenario", "format", f"must be {FORMAT!r}, not {data.get('format')!r}")
    for key in ("talents", "needs"):
        if key not in data:
            raise ScenarioError("scenario", key, "missing")
        if not isinstance(data[key], list):
            raise ScenarioError("scenario", key, "must be a list")
    extra = sorted(set(data) - {"format", "talents", "needs"})
    if extra:
        raise ScenarioError("scenario", extra[0], "unknown field")
    talents, needs = [], []
    seen: dict = {}
    for i, raw in enumerate(data["talents"]):
        item = _Item("talents", i, raw)
        if not isinstance(raw, dict):
            item.fail("", "must be an object")
        item.only(TALENT_FIELDS)
        ident = _ident(item, seen)
        skills = item.get("skills")
        if not isinstance(skills, list):
            item.fail("skills", "must be a list of skill names")
        for pos, s in enumerate(skills):
            if not isinstance(s, str) or not s.strip():
                item.fail("skills", f"skill {pos} must be a non-empty string, not {_kind(s)}")
        lat = item.number("lat", -90, 90)
        lon = item.number("lon", -180, 180)
        max_km = item.number("max_km", 0, math.inf)
        available = item.days("available")
        capacity = item.integer("capacity", 0, default=1)
        busy_raw = item.get("busy", default=[])
        if not isinstance(busy_raw, list):
            item.fail("busy", "must be a list of [first_day, last_day]")
        busy = []
        for b in busy_raw:
            if not isinstance(b, list) or len(b) != 2:
                item.fail("busy", "each entry must be a list of two days [first_day, last_day]")
            busy.append(item._range("busy", b))
        talents.append(
            Talent(
                id=ident,
                skills=frozenset(skills),
                lat=lat,
                lon=lon,
                max_km=max_km,
                available=(available,),
                capacity=capacity,
                busy=tuple(busy),
            )
        )
    seen = {}
    for j, raw in enumerate(data["needs"]):
        item = _Item("needs", j, raw)
        if not isinstance(raw, dict):
            item.fail("", "must be an object")
        item.only(NEED_FIELDS)
        ident = _ident(item, seen)
        skill = item.get("skill")
        if not isinstance(skill, str) or not skill.strip():
            item.fail("skill", f"must be a non-empty string, not {_kind(skill)}")
        lat = item.number("lat", -90, 90)
        lon = item.number("lon", -180, 180)
        first, last = item.days("period")
        slots = item.integer("slots", 1)
        priority = item.integer("priority", 1)
        needs.append(Need(ident, skill, lat, lon, first, last, slots, priority))
    return talents, needs


def _ident(item: _Item, seen: dict):
    ident = item.get("id")
    if not _is_id(ident):
        item.fail("id", f"must be a non-empty string or an integer, not {_kind(ident)}")
    if ident in seen:
        item.fail("id", f"duplicate: also {item.kind}[{seen[ident]}]")
    seen[ident] = item.index
    return ident


def load(path: Path | str) -> tuple[list[Talent], list[Need]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            str(path), "", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    return parse(data)


def output(talents: list[Talent], needs: list[Need], result: Result) -> dict:
    return {
        "assignments": [
            {"talent": talents[p.talent].id, "need": needs[p.need].id, "km": p.km}
            for p in result.pairs
        ],
        "unfilled": [
            {"need": needs[u.need].id, "slots": u.slots, "reason": u.reason}
            for u in result.unfilled
        ],
    }


def write(path: Path | str, data: dict) -> None:
    Path(path).write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )


def run(in_path: Path | str, out_path: Path | str) -> tuple[list[Talent], list[Need], Result]:
    """What ``manage.py talent_match`` does: read, build, solve, write."""
    from tongchou.talent.matching import solve

    talents, needs = load(in_path)
    result = solve(talents, needs)
    write(out_path, output(talents, needs, result))
    return talents, needs, result
