import gzip
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongchou.core.errors import ApplicationError
from tongchou.regions.classify import classify
from tongchou.regions.models import Region, RegionKind, UrbanRural
from tongchou.regions.services import regions_import

SHIZUISHAN = Path(__file__).resolve().parents[1] / "data" / "shizuishan"

pytestmark = pytest.mark.django_db


def _write(directory: Path, stem: str, text: str, gz: bool = False) -> None:
    if gz:
        with gzip.open(directory / f"{stem}.csv.gz", "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        (directory / f"{stem}.csv").write_text(text, encoding="utf-8")


def test_shipped_shizuishan_subset_has_the_real_sizes():
    regions_import(directory=SHIZUISHAN)
    assert Region.objects.filter(level=3, code__startswith="6402").count() == 3
    assert Region.objects.filter(level=4, code__startswith="6402").count() == 36
    assert Region.objects.filter(level=5, code__startswith="6402").count() == 326
    village = Region.objects.filter(level=5).first()
    assert village.parent.parent.parent.parent.parent is None  # village → … → province


def test_reimport_is_idempotent_and_updates_names(tmp_path):
    regions_import(directory=SHIZUISHAN)
    before = Region.objects.count()
    Region.objects.filter(code="640202").update(name="旧名字")
    regions_import(directory=SHIZUISHAN)
    assert Region.objects.count() == before
    assert Region.objects.get(code="640202").name == "大武口区"


def test_within_keeps_the_subtree_and_its_ancestors():
    regions_import(directory=SHIZUISHAN, within="640205")
    codes = set(Region.objects.values_list("code", flat=True))
    assert {"64", "6402", "640205"} <= codes
    assert "640202" not in codes
    assert all(c.startswith("640205") for c in codes if len(c) > 6)
    assert Region.objects.filter(level=5).exists()


def test_urban_rural_by_statistical_code():
    assert classify("640202001") == (RegionKind.STREET, UrbanRural.URBAN)
    assert classify("640221100") == (RegionKind.TOWN, UrbanRural.RURAL)
    assert classify("640221200") == (RegionKind.TOWNSHIP, UrbanRural.RURAL)
    assert classify("640202001001") == (RegionKind.RESIDENTS, UrbanRural.URBAN)
    assert classify("640221100201") == (RegionKind.VILLAGERS, UrbanRural.RURAL)
    assert classify("640202") == (RegionKind.OTHER, "")


def test_plain_and_gzipped_csv_both_read(tmp_path):
    _write(tmp_path, "provinces", "code,name\n64,宁夏\n")
    _write(tmp_path, "cities", "code,name,provinceCode\n6402,石嘴山市,64\n", gz=True)
    regions_import(directory=tmp_path)
    assert Region.objects.get(code="6402").parent_id == "64"


def test_bad_header_is_refused_and_nothing_is_written(tmp_path):
    _write(tmp_path, "provinces", "code,name\n64,宁夏\n")
    _write(tmp_path, "cities", "code,title\n6402,石嘴山市\n")
    with pytest.raises(ApplicationError, match="provinceCode"):
        regions_import(directory=tmp_path)
    assert not Region.objects.exists()


def test_bad_row_names_the_line_and_nothing_is_written(tmp_path):
    _write(tmp_path, "provinces", "code,name\n64,宁夏\nxx,坏行\n")
    with pytest.raises(ApplicationError, match="line 3"):
        regions_import(directory=tmp_path)
    assert not Region.objects.exists()


def test_command_reports_progress_and_errors(tmp_path, capsys):
    call_command("import_regions", str(SHIZUISHAN), "--within", "6402")
    out = capsys.readouterr().out
    assert "villages: 326" in out
    with pytest.raises(CommandError):
        call_command("import_regions", str(tmp_path))
    with pytest.raises(CommandError):
        call_command("import_regions", str(SHIZUISHAN), "--within", "abc")
