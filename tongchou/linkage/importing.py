"""An outlet's monthly sales (乡村特产展销点月度销售) from a spreadsheet, as cadres make them.

The file is read by the member import's reader (``members.importing.read_table`` with this
module's ``ColumnSpec``): .xlsx, .xls/.et, the ".xls" that web systems export as an HTML page,
CSV in UTF-8 (with or without BOM) or GBK; title rows above the header; the usual names of each
column. Caps are an outlet's, not a province roster's: ``MAX_BYTES``, ``MAX_ROWS`` rows and
``MAX_SECONDS`` (the page answers while the cadre waits).

Each row is read into typed values here (the month, the cooperative among those the outlet
carries, the catalogue product, the quantity in kg from its unit, the amount in yuan), then
checked by the rules of a single sale (``services.sale_values``). Every problem is collected
with its row and column; a file with any problem writes nothing.

Re-importing a month: what cadres do is send the month's sheet again with a figure corrected,
so a row for a month, cooperative and product already recorded *replaces* the recorded figures
(never adds to them); the preview lists such rows with the figures they replace before
anything is written. Two rows of one file for the same month, cooperative and product are an
error (which one is right?), never summed.

Nothing typed in the file is stored as text (every cell becomes a date, a number or a
reference), and the template is written by ``core.spreadsheets`` (formula-like cells made
inert)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core import signing
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongchou.core import spreadsheets
from tongchou.core.errors import ApplicationError
from tongchou.linkage.models import Outlet, OutletSale, Producer, Product
from tongchou.members.importing import (
    AMBIGUOUS_MONTH,
    BAD_DATE,
    Budget,
    ColumnSpec,
    RowError,
    check_upload,
    parse_date,
    read_table,
)

MAX_BYTES = 5 * 1024 * 1024  # a year of an outlet's sales is a few hundred rows, ~50 KB
MAX_ROWS = 2000  # 12 months × dozens of products and cooperatives
MAX_SECONDS = 30
MAX_UNZIPPED = 64 * 1024 * 1024
MAX_ERRORS_SHOWN = 200
MAX_KG = 100_000_000  # as a lot or an order (planner.MAX_KG)
MAX_YUAN = Decimal("1000000000000")  # as services._money
TOKEN_MAX_AGE = 3600  # seconds between the preview and the confirmation

COLUMNS: tuple[tuple[str, str], ...] = (
    ("month", "月份"),
    ("cooperative", "合作社"),
    ("product", "农产品"),
    ("quantity", "数量"),
    ("unit", "单位"),
    ("amount", "金额"),
)
HEADERS = dict(COLUMNS)
# The template's headers: the column names with a hint (a bracketed hint is read past).
TEMPLATE_HEADERS = {
    **HEADERS,
    "cooperative": "合作社（名称或编号）",
    "amount": "金额（元）",
}
ALIASES: dict[str, tuple[str, int]] = {
    **{header: (key, 1) for key, header in COLUMNS},
    **{key: (key, 1) for key, _header in COLUMNS},
    "销售月份": ("month", 1),
    "年月": ("month", 1),
    "统计月份": ("month", 1),
    "月度": ("month", 2),
    "合作社名称": ("cooperative", 1),
    "合作社编号": ("cooperative", 1),
    "生产主体": ("cooperative", 1),
    "生产主体名称": ("cooperative", 1),
    "生产主体编号": ("cooperative", 1),
    "供货合作社": ("cooperative", 1),
    "供货单位": ("cooperative", 2),
    "producer": ("cooperative", 1),
    "产品": ("product", 1),
    "产品名称": ("product", 1),
    "农产品名称": ("product", 1),
    "品名": ("product", 1),
    "商品": ("product", 2),
    "商品名称": ("product", 2),
    "销量": ("quantity", 1),
    "销售数量": ("quantity", 1),
    "销售量": ("quantity", 1),
    "qty": ("quantity", 1),
    "kg": ("quantity", 2),
    "计量单位": ("unit", 1),
    "销售额": ("amount", 1),
    "销售金额": ("amount", 1),
    "金额元": ("amount", 1),
    "yuan": ("amount", 1),
    "sales": ("amount", 2),
}
SPEC = ColumnSpec(
    columns=COLUMNS,
    aliases=ALIASES,
    required=("month", "cooperative", "product", "quantity", "amount"),
    anchors=frozenset({"month", "product"}),
    no_rows=gettext_lazy("文件只有表头，没有销售数据。"),
    too_many_rows=gettext_lazy(
        "文件超过%(limit)s行销售数据，超出一次导入允许的行数，未导入任何数据。"
    ),
)

# Units a quantity may be written in, and kg per unit.
UNITS: dict[str, Decimal] = {
    "公斤": Decimal(1),
    "千克": Decimal(1),
    "kg": Decimal(1),
    "斤": Decimal("0.5"),
    "市斤": Decimal("0.5"),
    "吨": Decimal(1000),
    "t": Decimal(1000),
}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_QUANTITY = re.compile(
    r"^(?P<number>[^A-Za-z\u4e00-\u9fff]*?)\s*(?P<unit>[A-Za-z\u4e00-\u9fff]+)?$"
)

Rows = list[tuple[int, dict[str, str]]]


# --- reading the file ------------------------------------------------------------------------


def read_sales_file(upload) -> tuple[str, Rows, list[str]]:
    """The bare file name, the data rows of an uploaded file (``(row number, {column key:
    text})``, numbered as in the file) and the notices (title rows skipped, columns ignored).
    A file that cannot be read, is too large or holds too many rows raises
    ``ApplicationError`` on ``file``."""
    filename = check_upload(upload)
    if upload.size > MAX_BYTES:
        raise ApplicationError(
            "file_too_large",
            _("文件太大（%(size)s），展销点销售表不能超过%(limit)s。")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_BYTES)},
            field="file",
        )
    budget = Budget(max_rows=MAX_ROWS, max_seconds=MAX_SECONDS, max_unzipped=MAX_UNZIPPED)
    reader = read_table(upload, filename, spec=SPEC, budget=budget)
    rows = list(reader)
    return filename, rows, reader.notices


# --- reading one row -------------------------------------------------------------------------


def _shown(text: str) -> str:
    """A cell quoted in a message: trimmed, at most 30 characters."""
    text = " ".join(text.split())
    return text if len(text) <= 30 else text[:30] + "…"


def _key(text: str) -> str:
    """A name as compared: NFKC (full-width letters and brackets), no white space, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


def _month(text: str) -> dt.date:
    """2026-03, 2026年3月(份), 2026/3, 2026.3, 202603, a date (its month) or an Excel date."""
    text = unicodedata.normalize("NFKC", text).strip().removesuffix("份")
    value = parse_date(text)
    if value is AMBIGUOUS_MONTH:
        raise ValueError(
            _(
                "“%(value)s”可能是1月，也可能是10月（表格软件会把2026.10存成2026.1），请写成2026-01或2026-10。"
            )
            % {"value": _shown(text)}
        )
    if value is None or value is BAD_DATE:
        raise ValueError(
            _("“%(value)s”不是月份，请写成2026-03、2026年3月或2026/3。") % {"value": _shown(text)}
        )
    return dt.date(value.year, value.month, 1)


def _number(text: str, *, label: str) -> Decimal:
    """A number as typed: thousands separators, full-width digits and a currency mark allowed."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    for mark in (",", " ", "¥", "元"):
        cleaned = cleaned.replace(mark, "")
    if not _NUMBER.match(cleaned):
        raise ValueError(
            _("%(label)s“%(value)s”不是数字。") % {"label": label, "value": _shown(text)}
        )
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the expression above admits only numbers
        raise ValueError(_("%(label)s应为数字。") % {"label": label}) from None


def _unit(text: str) -> Decimal:
    factor = UNITS.get(_key(text))
    if factor is None:
        raise ValueError(
            _("单位“%(value)s”无法换算为公斤，请填写公斤、斤或吨。") % {"value": _shown(text)}
        )
    return factor


@dataclass
class SaleRow:
    """One checked row of the file, and what importing it does to the recorded sales."""

    row: int
    month: dt.date
    producer: Producer | None
    product: Product
    kg: int
    yuan: Decimal
    quantity: str  # as written, with its unit ("300 斤")
    rounded: bool = False  # the quantity was not a whole number of kg
    existing: OutletSale | None = None  # the recorded row for its month, cooperative, product
    action: str = "create"  # create, update (the recorded figures replaced) or same
    previous_kg: int | None = None  # the recorded figures, as they were when checked
    previous_yuan: Decimal | None = None

    def compare(self, existing: OutletSale | None) -> None:
        self.existing = existing
        if existing is None:
            self.action = "create"
            return
        self.previous_kg, self.previous_yuan = existing.kg, existing.yuan
        same = (existing.kg, existing.yuan) == (self.kg, self.yuan)
        self.action = "same" if same else "update"

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "month": self.month.strftime("%Y-%m"),
            "producer": self.producer.pk if self.producer else None,
            "producer_name": self.producer.name if self.producer else None,
            "product": self.product.pk,
            "product_name": self.product.name,
            "kg": self.kg,
            "yuan": str(self.yuan),
            "action": self.action,
            "previous_kg": self.previous_kg,
            "previous_yuan": None if self.previous_yuan is None else str(self.previous_yuan),
        }


@dataclass
class SalesImport:
    """The outcome of checking (and, without errors, importing) a file."""

    rows: list[SaleRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    written: bool = False

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("same")

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:MAX_ERRORS_SHOWN]


class _Lookups:
    """What a file's rows are resolved against, read once: the cooperatives the outlet
    carries (by id and by name) and the product catalogue (by name)."""

    def __init__(self, outlet: Outlet):
        producers = list(outlet.producers.order_by("name", "id"))
        self.carried = {p.pk: p for p in producers}
        self.by_name: dict[str, list[Producer]] = {}
        for producer in producers:
            self.by_name.setdefault(_key(producer.name), []).append(producer)
        products = list(Product.objects.filter(active=True).order_by("name"))
        self.products = {_key(p.name): p for p in products}
        self.product_names = "、".join(p.name for p in products[:20])
        self.carried_names = "、".join(p.name for p in producers[:10]) or _("无")

    def producer(self, text: str) -> Producer | None:
        text = unicodedata.normalize("NFKC", text).strip()
        if not text:
            return None  # not known: the row counts for the outlet, in no chain's report
        if text.isascii() and text.lstrip("#").isdigit():
            found = self.carried.get(int(text.lstrip("#")))
            if found is None:
                raise ValueError(
                    _("该展销点代销的合作社中没有编号为%(value)s的（代销：%(names)s）。")
                    % {"value": _shown(text), "names": self.carried_names}
                )
            return found
        matches = self.by_name.get(_key(text), [])
        if len(matches) > 1:
            raise ValueError(
                _("该展销点代销的合作社中有%(n)s个叫“%(value)s”，请改填编号（%(codes)s）。")
                % {
                    "n": len(matches),
                    "value": _shown(text),
                    "codes": "、".join(str(p.pk) for p in matches),
                }
            )
        if not matches:
            raise ValueError(
                _(
                    "“%(value)s”不是该展销点代销的合作社（代销：%(names)s）。"
                    "请填写展销点资料中的合作社名称或编号，或先在展销点资料中添加。"
                )
                % {"value": _shown(text), "names": self.carried_names}
            )
        return matches[0]

    def product(self, text: str) -> Product:
        found = self.products.get(_key(text))
        if found is None:
            raise ValueError(
                _("农产品目录中没有“%(value)s”（目录：%(names)s）。")
                % {"value": _shown(text), "names": self.product_names}
            )
        return found


# Where a rule of ``services.sale_values`` points (its field) in the file (the column).
FIELD_COLUMNS = {
    "month": "month",
    "producer": "cooperative",
    "product": "product",
    "kg": "quantity",
    "yuan": "amount",
}


def _quantity(cells: dict[str, str]) -> tuple[int, str, bool]:
    """kg (whole, rounded half up), the quantity as written, whether it was rounded. A unit
    may be in its own column or after the number ("300斤"); blank is kg."""
    text = unicodedata.normalize("NFKC", cells.get("quantity", "")).strip()
    unit_text = unicodedata.normalize("NFKC", cells.get("unit", "")).strip()
    if not text:
        raise ValueError(_("请填写数量。"))
    match = _QUANTITY.match(text)
    number_text = match["number"] if match else text
    written_unit = match["unit"] if match and match["unit"] else ""
    if not number_text.strip():
        raise ValueError(
            _("%(label)s“%(value)s”不是数字。") % {"label": _("数量"), "value": _shown(text)}
        )
    if written_unit and unit_text and _key(written_unit) != _key(unit_text):
        raise ValueError(
            _("数量写的单位“%(a)s”与单位列的“%(b)s”不一致。")
            % {"a": _shown(written_unit), "b": _shown(unit_text)}
        )
    unit = unit_text or written_unit
    factor = _unit(unit) if unit else Decimal(1)
    number = _number(number_text, label=_("数量"))
    if number < 0:
        raise ValueError(_("数量不能为负数。"))
    exact = number * factor
    if exact > MAX_KG:
        raise ValueError(_("数量过大。"))
    kg = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    written = f"{number_text.strip()} {unit}".strip() if unit else number_text.strip()
    return kg, written, kg != exact


def _amount(text: str) -> Decimal:
    if not text.strip():
        raise ValueError(_("请填写金额。"))
    amount = _number(text, label=_("金额"))
    if amount < 0:
        raise ValueError(_("金额不能为负数。"))
    if amount > MAX_YUAN:
        raise ValueError(_("金额超出范围。"))
    return amount


def _read_row(number: int, cells: dict[str, str], lookups: _Lookups, errors: list[RowError]):
    """The typed values of one row, or None with its problems added to ``errors`` (each
    column checked, so a row shows all its problems at once)."""
    values: dict = {}
    found: list[RowError] = []

    def take(key: str, read, *args) -> None:
        try:
            values[key] = read(*args)
        except ValueError as exc:
            found.append(RowError(number, HEADERS[key], str(exc)))

    month_text = cells.get("month", "")
    if month_text.strip():
        take("month", _month, month_text)
    else:
        found.append(RowError(number, HEADERS["month"], _("请填写月份。")))
    take("cooperative", lookups.producer, cells.get("cooperative", ""))
    product_text = cells.get("product", "")
    if product_text.strip():
        take("product", lookups.product, product_text)
    else:
        found.append(RowError(number, HEADERS["product"], _("请填写农产品。")))
    take("quantity", _quantity, cells)
    take("amount", _amount, cells.get("amount", ""))
    errors.extend(found)
    return None if found else values


def check_sales(outlet: Outlet, rows: Iterable[tuple[int, dict[str, str]]], *, today: dt.date):
    """Every row read and checked against the outlet (what it carries), the catalogue and
    the sales already recorded; nothing written. Returns a ``SalesImport`` whose ``rows`` say
    what importing would do (create, update, same) and whose ``errors`` name row and column."""
    from tongchou.linkage.services import sale_values

    lookups = _Lookups(outlet)
    carried = set(lookups.carried)
    result = SalesImport()
    seen: dict[tuple, int] = {}
    for number, cells in rows:
        values = _read_row(number, cells, lookups, result.errors)
        if values is None:
            continue
        kg, written, rounded = values["quantity"]
        try:
            checked = sale_values(
                outlet,
                month=values["month"],
                product=values["product"],
                producer=values["cooperative"],
                kg=kg,
                yuan=values["amount"],
                today=today,
                carried=carried,
            )
        except ApplicationError as exc:
            column = HEADERS[FIELD_COLUMNS.get(exc.field or "", "month")]
            result.errors.append(RowError(number, column, str(exc.message)))
            continue
        producer = checked["producer"]
        key = (checked["month"], producer.pk if producer else None, checked["product"].pk)
        if key in seen:
            result.errors.append(
                RowError(
                    number,
                    HEADERS["month"],
                    _(
                        "与第%(row)s行是同一月份、同一合作社的同一农产品；"
                        "每项每月只能有一行，请合并为一行。"
                    )
                    % {"row": seen[key]},
                )
            )
            continue
        seen[key] = number
        result.rows.append(
            SaleRow(
                row=number,
                month=checked["month"],
                producer=producer,
                product=checked["product"],
                kg=checked["kg"],
                yuan=checked["yuan"],
                quantity=written,
                rounded=rounded,
            )
        )
    _attach_existing(outlet, result.rows)
    return result


def _attach_existing(outlet: Outlet, rows: list[SaleRow]) -> None:
    """The recorded sales each row would replace: one query for the file's months."""
    months = {r.month for r in rows}
    if not months:
        return
    recorded = {
        (s.month, s.producer_id, s.product_id): s
        for s in OutletSale.objects.filter(outlet=outlet, month__in=months)
    }
    for row in rows:
        key = (row.month, row.producer.pk if row.producer else None, row.product.pk)
        row.compare(recorded.get(key))


# --- preview → confirm -----------------------------------------------------------------------
# The checked rows travel from the preview to the confirmation as a signed token (the rows as
# read, not the file): nothing is kept on the server between the two, a token is good for one
# outlet and one user for an hour, and the confirmation checks every row again.


def _salt(outlet: Outlet, user) -> str:
    return f"linkage.outlet_sales_import:{outlet.pk}:{user.pk}"


def sign_rows(outlet: Outlet, user, filename: str, rows: Rows) -> str:
    keys = [key for key, _header in COLUMNS]
    payload = {
        "f": filename[:200],
        "r": [[n, *(cells.get(k, "") for k in keys)] for n, cells in rows],
    }
    return signing.dumps(payload, salt=_salt(outlet, user), compress=True)


def unsign_rows(outlet: Outlet, user, token: str) -> tuple[str, Rows]:
    keys = [key for key, _header in COLUMNS]
    try:
        payload = signing.loads(token or "", salt=_salt(outlet, user), max_age=TOKEN_MAX_AGE)
        rows = [
            (int(n), dict(zip(keys, map(str, cells), strict=True))) for n, *cells in payload["r"]
        ]
        filename = str(payload["f"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ApplicationError(
            "import_expired",
            _("导入确认已过期或无效，请重新上传文件。"),
            field="token",
        ) from None
    if len(rows) > MAX_ROWS:
        raise ApplicationError("import_expired", _("导入确认无效，请重新上传文件。"), field="token")
    return filename, rows


# --- the template ----------------------------------------------------------------------------


def _column_notes() -> list[tuple[str, str]]:
    units = "、".join(UNITS)
    return [
        (
            TEMPLATE_HEADERS["month"],
            _("必填，如2026-03、2026年3月、2026/3，或表格中的日期（取其月份）；不能是未来的月份。"),
        ),
        (
            TEMPLATE_HEADERS["cooperative"],
            _(
                "展销点代销的合作社的名称或编号（见“代销合作社”表）；"
                "不知道是哪家合作社的可不填，该行不计入任何产业链的看板和报告。"
            ),
        ),
        (TEMPLATE_HEADERS["product"], _("必填，农产品目录中的品名（见下）。")),
        (
            TEMPLATE_HEADERS["quantity"],
            _("必填，当月销量；按公斤登记，其他单位折算后四舍五入到整公斤。"),
        ),
        (TEMPLATE_HEADERS["unit"], _("选填，不填为公斤；可填：") + units),
        (TEMPLATE_HEADERS["amount"], _("必填，当月销售额（元），不能为负数。")),
    ]


def template_sheets(outlet: Outlet) -> list[spreadsheets.Sheet]:
    """The template: an empty sales sheet with the headers, the notes, and the cooperatives
    the outlet carries with their numbers (names typed by people: written through
    ``core.spreadsheets``, so one that reads as a formula stays text)."""
    products = "、".join(
        Product.objects.filter(active=True).order_by("name").values_list("name", flat=True)
    )
    notes = [
        *_column_notes(),
        (_("农产品目录"), products),
        (
            _("重复导入"),
            _(
                "同一月份、同一合作社、同一农产品已登记过的，以新文件为准（更新原数字，不累加）；"
                "确认导入前会列出将被更新的记录。同一文件中同一项出现两行是错误。"
            ),
        ),
        (
            _("导入规则"),
            _("表头上方可以有标题行。每一行都会被校验；只要有一处错误，整个文件都不会导入。"),
        ),
    ]
    carried = [
        (p.pk, p.name, p.village.name)
        for p in outlet.producers.select_related("village").order_by("name", "id")
    ]
    return [
        spreadsheets.Sheet(_("销售"), [TEMPLATE_HEADERS[k] for k, _h in COLUMNS], []),
        spreadsheets.Sheet(_("说明"), [_("列"), _("说明")], notes),
        spreadsheets.Sheet(_("代销合作社"), [_("编号"), _("名称"), _("所在村")], carried),
    ]


def template_xlsx(outlet: Outlet):
    out, _counts = spreadsheets.write_xlsx(template_sheets(outlet))
    return out
