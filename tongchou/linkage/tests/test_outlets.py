"""Rural produce outlets (乡村特产展销点): an outlet is the buyer unit of kind outlet (no second
record), what it carries, its monthly sales with bad input refused, scope, the season report
counting outlet sales, pages and API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.test import Client

from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditEvent
from tongchou.linkage import selectors, services
from tongchou.linkage.models import Buyer, Outlet, OutletSale
from tongchou.linkage.tests.conftest import make_producer
from tongchou.regions.models import UrbanRural

TODAY = dt.date(2026, 7, 15)
HOURS = [["09:00", "20:00"]] * 6 + [None]


def _outlet(lw, **kw) -> Outlet:
    values = {
        "actor": lw.canteen,
        "name": "长胜社区乡村特产展销点",
        "organization": lw.canteen_org,
        "lat": 39.012,
        "lon": 106.398,
        "address": "长胜街道1号",
        "opening_hours": HOURS,
        "producers": [lw.producer_a],
        "products": [lw.tomato, lw.pepper],
    }
    values.update(kw)
    return services.outlet_create(**values)


def _sale(lw, outlet, **kw) -> OutletSale:
    values = {
        "actor": lw.canteen,
        "outlet": outlet,
        "month": "2026-06",
        "product": lw.tomato,
        "producer": lw.producer_a,
        "kg": 300,
        "yuan": "1200.00",
        "today": TODAY,
    }
    values.update(kw)
    return services.outlet_sale_record(**values)


@pytest.fixture
def outlet(lw):
    return _outlet(lw)


def test_an_outlet_is_a_buyer_of_kind_outlet_with_what_it_carries(lw, outlet):
    buyer = Buyer.objects.get(name="长胜社区乡村特产展销点")
    assert outlet.pk == buyer.pk and buyer.kind == "outlet" and buyer.outlet == outlet
    assert buyer.get_kind_display() == "乡村特产展销点"
    assert list(outlet.producers.all()) == [lw.producer_a]
    assert set(outlet.products.all()) == {lw.tomato, lw.pepper}
    assert outlet.opening_hours[6] is None
    assert AuditEvent.objects.filter(object_type="linkage.outlet", object_id=str(outlet.pk))
    assert Outlet.objects.count() == 1  # the other buyers have none


def test_an_outlet_sits_in_a_city_community(lw):
    lw.village_a.urban_rural = UrbanRural.RURAL
    lw.village_a.save()
    with pytest.raises(ApplicationError) as exc:
        _outlet(lw, actor=lw.village_secretary, organization=lw.village_a)
    assert (exc.value.code, exc.value.field) == ("not_a_city_community", "organization")
    assert not Buyer.objects.filter(kind="outlet").exists()


def test_an_outlet_out_of_scope_is_refused(lw):
    with pytest.raises(PermissionDenied):
        _outlet(lw, actor=lw.admin_b)
    assert not Buyer.objects.filter(kind="outlet").exists()


def test_bad_opening_hours_write_nothing(lw):
    with pytest.raises(ApplicationError) as exc:
        _outlet(lw, opening_hours=[["20:00", "09:00"]] * 7)
    assert exc.value.field == "opening_hours"
    assert not Buyer.objects.filter(kind="outlet").exists()


# --- monthly sales ---------------------------------------------------------------------------


def test_a_month_of_sales_is_recorded_once(lw, outlet):
    sale = _sale(lw, outlet)
    assert (sale.month, sale.kg, sale.yuan, sale.buyer_path) == (
        dt.date(2026, 6, 1),
        300,
        Decimal("1200.00"),
        lw.canteen_org.path,
    )
    with pytest.raises(ApplicationError) as exc:
        _sale(lw, outlet, month=dt.date(2026, 6, 20), kg=10)
    assert (exc.value.code, exc.value.field) == ("duplicate_month", "month")
    # Another producer, or no producer named, is another row; then that one is taken too.
    _sale(lw, outlet, producer=None)
    with pytest.raises(ApplicationError):
        _sale(lw, outlet, producer=None)
    assert OutletSale.objects.count() == 2


def test_the_database_refuses_a_second_row_without_a_producer(lw, outlet):
    _sale(lw, outlet, producer=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutletSale.objects.create(
            outlet=outlet,
            month=dt.date(2026, 6, 1),
            product=lw.tomato,
            kg=1,
            yuan=Decimal("1"),
            buyer_path=outlet.buyer.org_path,
        )


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"kg": -5}, "invalid_kg", "kg"),
        ({"kg": "lots"}, "invalid_kg", "kg"),
        ({"yuan": "-1"}, "invalid_number", "yuan"),
        ({"yuan": "NaN"}, "invalid_number", "yuan"),
        ({"month": "2026-08"}, "future_month", "month"),
        ({"month": "June"}, "invalid_month", "month"),
        ({"month": "2026-13"}, "invalid_month", "month"),
        ({"product": None}, "unknown_product", "product"),
    ],
)
def test_bad_sales_input_names_the_field_and_writes_nothing(lw, outlet, change, code, field):
    with pytest.raises(ApplicationError) as exc:
        _sale(lw, outlet, **change)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert not OutletSale.objects.exists()


def test_this_month_is_allowed(lw, outlet):
    assert _sale(lw, outlet, month="2026-07").month == dt.date(2026, 7, 1)


def test_only_the_outlets_organization_enters_sales(lw, outlet):
    for user in (lw.village_secretary, lw.chain_secretary, lw.admin_b, lw.norole):
        with pytest.raises(PermissionDenied):
            _sale(lw, outlet, actor=user)
    assert not OutletSale.objects.exists()


def test_a_sale_is_corrected_not_duplicated(lw, outlet):
    sale = _sale(lw, outlet)
    other = _sale(lw, outlet, month="2026-05")
    with pytest.raises(ApplicationError) as exc:
        services.outlet_sale_update(
            actor=lw.canteen,
            sale=other,
            month="2026-06",
            product=lw.tomato,
            producer=lw.producer_a,
            kg=1,
            yuan=1,
            today=TODAY,
        )
    assert exc.value.code == "duplicate_month"
    fixed = services.outlet_sale_update(
        actor=lw.canteen,
        sale=sale,
        month="2026-06",
        product=lw.tomato,
        producer=lw.producer_a,
        kg=310,
        yuan="1240",
        today=TODAY,
    )
    assert (fixed.kg, fixed.yuan) == (310, Decimal("1240.00"))


def test_an_outlet_with_sales_keeps_its_kind(lw, outlet):
    fields = {
        "name": outlet.buyer.name,
        "organization": lw.canteen_org,
        "lat": 39.0,
        "lon": 106.4,
        "max_km": 40,
    }
    _sale(lw, outlet)
    with pytest.raises(ApplicationError) as exc:
        services.buyer_update(actor=lw.canteen, buyer=outlet.buyer, kind="supermarket", **fields)
    assert exc.value.code == "outlet_has_sales"
    assert Buyer.objects.get(pk=outlet.pk).kind == "outlet"
    OutletSale.objects.all().delete()
    services.buyer_update(actor=lw.canteen, buyer=outlet.buyer, kind="supermarket", **fields)
    assert not Outlet.objects.exists()
    services.buyer_update(actor=lw.canteen, buyer=lw.buyer_a, kind="outlet", **fields)
    assert Outlet.objects.get().buyer == lw.buyer_a


# --- scope and the season report ------------------------------------------------------------


def test_scope_outlet_org_and_the_producers_side(lw, outlet):
    sale = _sale(lw, outlet)
    assert selectors.outlet_get_for(lw.canteen, outlet.pk) == outlet
    # The cooperative's village and chain see where its produce is shown and sold.
    assert selectors.outlet_get_for(lw.village_secretary, outlet.pk) == outlet
    assert selectors.outlet_sale_get_for(lw.chain_secretary, sale.pk) == sale
    for user in (lw.admin_b, lw.norole):
        with pytest.raises(Http404):
            selectors.outlet_get_for(user, outlet.pk)
        with pytest.raises(Http404):
            selectors.outlet_sale_get_for(user, sale.pk)


def test_the_season_report_counts_the_chains_outlet_sales(lw, outlet):
    _sale(lw, outlet, month="2026-05", kg=100, yuan="400")
    _sale(lw, outlet, month="2026-06", kg=300, yuan="1200")
    _sale(lw, outlet, month="2026-06", product=lw.pepper, kg=50, yuan="250")
    _sale(
        lw, outlet, month="2026-06", producer=None, kg=999, yuan="1"
    )  # no producer: not the chain's
    other = make_producer(lw.village_b, lw.chain_b, name="外链合作社")
    outlet.producers.add(other)  # it carries another chain's cooperative too
    _sale(lw, outlet, month="2026-06", producer=other, kg=777, yuan="2")
    _sale(lw, outlet, month="2025-12", kg=5, yuan="5")  # the previous season
    report = selectors.season_report_for(lw.chain_secretary, lw.chain_a.pk, year=2026)
    assert (report.outlet_total.kg, report.outlet_total.yuan) == (450, Decimal("1850.00"))
    assert [(r.label, r.kg) for r in report.outlet_products] == [("番茄", 400), ("辣椒", 50)]
    assert [(r.label, r.kg) for r in report.outlet_months] == [("2026-05", 100), ("2026-06", 350)]
    c = Client()
    c.force_login(lw.chain_secretary)
    data = c.get(f"/api/linkage/chains/{lw.chain_a.pk}/report/?year=2026").json()
    assert data["outlet_total"] == {
        "label": lw.chain_a.name,
        "kg": 450,
        "yuan": "1850.00",
        "outlets": 1,
    }
    page = c.get(f"/linkage/chains/{lw.chain_a.pk}/report/?year=2026").content.decode()
    assert "tc-report-outlets" in page and "1850" in page.replace(",", "")


def test_the_board_shows_the_chains_outlet_sales_as_the_report_does(lw, outlet):
    """One source: the board's outlet figures are the season report's, month by product."""
    _sale(lw, outlet, month="2026-05", kg=100, yuan="400")
    _sale(lw, outlet, month="2026-06", kg=300, yuan="1200")
    _sale(lw, outlet, month="2026-06", product=lw.pepper, kg=50, yuan="250.5")
    _sale(lw, outlet, month="2026-06", producer=None, kg=999, yuan="1")  # in no chain's
    other = make_producer(lw.village_b, lw.chain_b, name="外链合作社")
    outlet.producers.add(other)
    _sale(lw, outlet, month="2026-06", producer=other, kg=777, yuan="2")  # chain B's
    _sale(lw, outlet, month="2025-12", kg=5, yuan="5")  # the previous season
    board = selectors.season_board_for(lw.chain_secretary, lw.chain_a.pk, year=2026, today=TODAY)
    sales = board["outlet_sales"]
    assert sales["months"] == ["2026-05", "2026-06"]
    assert [
        (p["label"], [(c["kg"], c["yuan"]) for c in p["cells"]]) for p in sales["products"]
    ] == [
        ("番茄", [(100, "400.00"), (300, "1200.00")]),
        ("辣椒", [(0, "0.00"), (50, "250.50")]),
    ]
    report = selectors.season_report_for(lw.chain_secretary, lw.chain_a.pk, year=2026)
    assert sales["total"] == report.outlet_total.as_dict()
    assert sales["total"] == {"label": lw.chain_a.name, "kg": 450, "yuan": "1850.50", "outlets": 1}
    assert sales["month_totals"] == [r.as_dict() for r in report.outlet_months]
    assert [{k: p[k] for k in ("label", "kg", "yuan", "outlets")} for p in sales["products"]] == [
        r.as_dict() for r in report.outlet_products
    ]
    # Chain B's board has its own cooperative's row only; chain A's is out of B's scope.
    board_b = selectors.season_board_for(lw.admin_b, lw.chain_b.pk, year=2026, today=TODAY)
    assert board_b["outlet_sales"]["total"]["kg"] == 777
    with pytest.raises(Http404):
        selectors.season_board_for(lw.admin_b, lw.chain_a.pk, year=2026, today=TODAY)
    # The board page and the API show them.
    c = Client()
    c.force_login(lw.chain_secretary)
    page = c.get(f"/linkage/chains/{lw.chain_a.pk}/?year=2026").content.decode()
    table = page[page.index('id="tc-board-outlets"') :]
    table = table[: table.index("</table>")]
    for text in ("2026-05", "2026-06", "番茄", "辣椒", "1200.00", "250.50", "1850.50"):
        assert text in table
    assert "777" not in table and "999" not in table
    data = c.get(f"/api/linkage/chains/{lw.chain_a.pk}/board/?year=2026").json()
    assert data["outlet_sales"]["total"]["yuan"] == "1850.50"
    assert data["outlet_sales"]["products"][1]["cells"][0] == {"kg": 0, "yuan": "0.00"}


def test_a_board_without_outlet_sales_says_so(lw):
    board = selectors.season_board_for(lw.chain_secretary, lw.chain_a.pk, year=2026, today=TODAY)
    assert board["outlet_sales"]["months"] == [] and board["outlet_sales"]["products"] == []
    c = Client()
    c.force_login(lw.chain_secretary)
    page = c.get(f"/linkage/chains/{lw.chain_a.pk}/?year=2026").content.decode()
    assert "tc-board-outlets" in page and "本季没有展销点销售记录" in page


# --- pages and API ---------------------------------------------------------------------------


def test_pages_add_an_outlet_and_record_a_month(lw):
    c = Client()
    c.force_login(lw.canteen)
    r = c.post(
        "/linkage/outlets/new/",
        {
            "name": "<b>朝阳</b>展销点",
            "organization": lw.canteen_org.pk,
            "lat": "39.03",
            "lon": "106.37",
            "max_km": "40",
            "opening_hours": "\n".join(["09:00-20:00"] * 6 + ["-"]),
            "producers": [lw.producer_a.pk],
            "products": [lw.tomato.pk],
        },
    )
    outlet = Outlet.objects.get()
    assert r.status_code == 302 and r.url == f"/linkage/outlets/{outlet.pk}/"
    page = c.get(r.url).content.decode()
    assert "&lt;b&gt;朝阳&lt;/b&gt;" in page and "<b>朝阳" not in page
    data = {"month": "2026-06", "product": lw.tomato.pk, "kg": "120", "yuan": "480"}
    r = c.post(f"/linkage/outlets/{outlet.pk}/sales/", data)
    assert r.status_code == 302 and OutletSale.objects.get().kg == 120
    r = c.post(f"/linkage/outlets/{outlet.pk}/sales/", data)
    assert r.status_code == 400 and OutletSale.objects.count() == 1
    r = c.post(f"/linkage/outlets/{outlet.pk}/sales/", {**data, "month": "2026-05", "kg": "-3"})
    assert r.status_code == 400 and OutletSale.objects.count() == 1
    c.force_login(lw.village_secretary)  # sees the outlet (its cooperative), may not enter sales
    assert c.get(f"/linkage/outlets/{outlet.pk}/").status_code == 200
    assert c.post(f"/linkage/outlets/{outlet.pk}/sales/", data).status_code == 403
    c.force_login(lw.admin_b)
    assert c.get(f"/linkage/outlets/{outlet.pk}/").status_code == 404


def test_api_creates_outlets_and_sales_with_errors_by_field(lw):
    c = Client()
    c.force_login(lw.canteen)
    body = {
        "name": "北街展销点",
        "organization": lw.canteen_org.pk,
        "lat": 39.2,
        "lon": 106.7,
        "opening_hours": [["09:00", "20:00"]] * 6 + [[]],
        "producers": [lw.producer_a.pk, lw.producer_b.pk],
        "products": [lw.tomato.pk],
    }
    r = c.post("/api/linkage/outlets/", body, content_type="application/json")
    assert r.status_code == 201, r.content
    outlet = r.json()
    assert outlet["opening_hours"][6] is None
    assert set(outlet["producers"]) == {lw.producer_a.pk, lw.producer_b.pk}
    r = c.post(
        "/api/linkage/outlets/", {**body, "products": [999999]}, content_type="application/json"
    )
    assert r.status_code == 404 and r.json()["field"] == "products"
    sale = {
        "outlet": outlet["id"],
        "month": "2026-06",
        "product": lw.tomato.pk,
        "kg": 10,
        "yuan": "40",
    }
    r = c.post("/api/linkage/outlet-sales/", sale, content_type="application/json")
    assert r.status_code == 201 and r.json()["producer"] is None
    r = c.post("/api/linkage/outlet-sales/", sale, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "month"
    r = c.post(
        "/api/linkage/outlet-sales/",
        {**sale, "month": "2026-05", "yuan": "-4"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "yuan"
    assert OutletSale.objects.count() == 1
    assert [row["kg"] for row in c.get("/api/linkage/outlet-sales/").json()["results"]] == [10]


def test_lists_cost_the_same_for_more_outlets_and_sales(lw, outlet):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _sale(lw, outlet)
    c = Client()
    c.force_login(lw.admin_a)

    def cost() -> tuple[int, ...]:
        counts = []
        for url in ("/linkage/outlets/", "/api/linkage/outlets/", "/api/linkage/outlet-sales/"):
            with CaptureQueriesContext(connection) as queries:
                assert c.get(url).status_code == 200
            counts.append(len(queries))
        return tuple(counts)

    before = cost()
    for i in range(3):
        more = _outlet(lw, name=f"展销点{i}")
        _sale(lw, more, product=lw.pepper)
    assert cost() == before


def test_a_sale_names_only_a_cooperative_the_outlet_carries(lw, outlet):
    """Else an outlet could write rows into any chain's season report."""
    stranger = make_producer(lw.village_b, lw.chain_b, name="外链合作社")
    with pytest.raises(ApplicationError) as caught:
        _sale(lw, outlet, producer=stranger)
    assert (caught.value.code, caught.value.field) == ("producer_not_carried", "producer")
    assert not OutletSale.objects.filter(producer=stranger).exists()
