"""Reads of administrative divisions. Divisions are public facts (the same for every user), so
nothing here is scoped; what matters is finding one by the name people know it by."""

import re

from django.db.models import Case, IntegerField, QuerySet, Value, When

from tongchou.regions.models import Region

SEARCH_LIMIT = 20
MAX_QUERY = 50
_CODE_IN_LABEL = re.compile(r"[（(]\s*(\d{2,12})\s*[）)]\s*$")


def _clean(query: str) -> str:
    return (query or "").replace("\x00", "").strip()[:MAX_QUERY]


def region_search(query: str, *, limit: int = SEARCH_LIMIT) -> list[Region]:
    """Regions whose name contains ``query`` (exact names first, then those starting with it,
    higher levels before lower), or whose code starts with it when it is all digits; each with
    its ancestors loaded (``path_names``)."""
    text = _clean(query)
    if not text:
        return []
    match = _CODE_IN_LABEL.search(text)
    if match:  # a label picked earlier, "长胜街道（640202001）"
        text = match.group(1)
    regions: QuerySet[Region] = Region.objects.select_related("parent__parent__parent__parent")
    if text.isascii() and text.isdigit():
        found = regions.filter(code__startswith=text).order_by("code")
    else:
        found = (
            regions.filter(name__contains=text)
            .annotate(
                rank=Case(
                    When(name=text, then=Value(0)),
                    When(name__startswith=text, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            )
            .order_by("rank", "level", "code")
        )
    return list(found[:limit])


def path_names(region: Region) -> str:
    """``宁夏回族自治区 石嘴山市 大武口区 长胜街道``: the region under its ancestors (as loaded
    by ``region_search``)."""
    names = [region.name]
    parent = region.parent
    while parent is not None and len(names) < 6:
        names.insert(0, parent.name)
        parent = parent.parent
    return " ".join(names)


def region_label(region: Region) -> str:
    """What a region picker shows and takes back: ``长胜街道（640202001）``."""
    return f"{region.name}（{region.code}）"


def region_from_text(text: str) -> tuple[Region | None, list[Region]]:
    """The region ``text`` names — a code, a picker label ``name（code）``, or a name that only
    one region has — and, when it names none, the regions it could mean (same name)."""
    text = _clean(text)
    if not text:
        return None, []
    match = _CODE_IN_LABEL.search(text)
    code = match.group(1) if match else text
    if code.isascii() and code.isdigit():
        return Region.objects.filter(code=code).first(), []
    same = list(
        Region.objects.filter(name=text).select_related("parent__parent").order_by("code")[:6]
    )
    if len(same) == 1:
        return same[0], []
    return None, same
