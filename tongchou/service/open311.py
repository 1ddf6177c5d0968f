"""Open311 GeoReport v2 over the needs, at ``/open311/v2/``.

The published specification (wiki.open311.org/GeoReport_v2), method by method:

* ``GET services.{fmt}`` — the category taxonomy; ``service_code`` is ``NeedCategory.code``,
  ``metadata`` false (no extra attributes), ``type`` realtime (a request becomes a need at once).
* ``GET services/{service_code}.{fmt}`` — the service definition (``attributes`` empty).
* ``POST requests.{fmt}`` — ``api_key`` (one per client, issued in the back office),
  ``service_code``, a location (``lat`` and ``long``, ``address_string`` or ``address_id`` — our
  ``address_id`` is the code of the village/community organization), ``description`` at most
  4,000 characters. Answers the ``service_request_id`` at once (we are "realtime"), so the token
  method is only there for clients that ask.
* ``GET requests.{fmt}`` — ``service_request_id`` (comma-delimited, overrides every other
  argument), ``service_code`` (comma-delimited), ``start_date``/``end_date`` (W3C date-times
  with a time zone; a range may not span more than 90 days, one date alone opens a 90-day
  window from it), ``status`` (open, closed; comma-delimited). Without dates the window is the
  last 90 days, and at most 1,000 requests are returned, newest first.
  *Extension* (beside the standard's parameters, as many GeoReport servers offer one):
  ``page_size`` (1–1,000) and ``page`` (from 1) page through the same ordering; without them
  the answer is exactly the standard's.
* ``GET requests/{service_request_id}.{fmt}`` — one request, still in a list.
* ``GET tokens/{token}.{fmt}`` — the id of the request a token was given for.

Formats: ``xml`` (required; UTF-8 with the XML declaration) and ``json``. Errors use the
standard's format — ``<errors><error><code/><description/></error></errors>`` or a JSON list
of ``{"code", "description"}`` — with 400 (bad or missing argument), 403 (missing or invalid
``api_key``) and 404 (unknown service code, request or token); and 429 (with ``Retry-After``)
when a key has made more than ``OPEN311_POSTS_PER_HOUR`` POSTs this hour.

What is public: a request's category, status, the public summary, the village/community's
name and code, dates and the unit responsible — never a name, phone, exact address or the
coordinates a reporter gave. ``expected_datetime`` is the end of the working-day deadline.
"""

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape

from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from tongchou.core import crypto
from tongchou.core.errors import ApplicationError
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.service import services
from tongchou.service.models import (
    DESCRIPTION_MAX,
    OPEN_STATES,
    Intake,
    Need,
    NeedCategory,
    NeedState,
    Open311Client,
)

DEFAULT_WINDOW_DAYS = 90
MAX_REQUESTS = 1000
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


# --- rendering ---------------------------------------------------------------------------------


def _xml_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(_XML_BAD.sub("", str(value)))


def _xml(root: str, item: str, rows: list[dict]) -> str:
    parts = ['<?xml version="1.0" encoding="utf-8"?>', f"<{root}>"]
    for row in rows:
        parts.append(f"<{item}>")
        for key, value in row.items():
            parts.append(f"<{key}>{_xml_text(value)}</{key}>")
        parts.append(f"</{item}>")
    parts.append(f"</{root}>")
    return "".join(parts)


def _respond(fmt: str, root: str, item: str, rows: list[dict], status: int = 200):
    if fmt == "json":
        body = json.dumps(rows, ensure_ascii=False, default=str)
        return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    return HttpResponse(
        _xml(root, item, rows), status=status, content_type="text/xml; charset=utf-8"
    )


def _error(fmt: str, code: int, description: str):
    return _respond(fmt, "errors", "error", [{"code": code, "description": description}], code)


def _guard(view):
    def wrapped(request, *args, fmt: str, **kwargs):
        try:
            jurisdiction = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
            if jurisdiction and jurisdiction != _jurisdiction():
                raise Open311Error(404, "jurisdiction_id not found")
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            response = _error(fmt, exc.code, exc.description)
            if exc.retry_after is not None:
                response["Retry-After"] = str(exc.retry_after)
            return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _jurisdiction() -> str:
    from django.conf import settings

    return getattr(settings, "OPEN311_JURISDICTION_ID", "tongchou")


def _expected(due: dt.date) -> str:
    end = dt.datetime.combine(due, dt.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    return end.isoformat(timespec="seconds")


# --- services ----------------------------------------------------------------------------------


def _service(category: NeedCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


@require_GET
@_guard
def service_list(request, fmt: str):
    categories = NeedCategory.objects.filter(active=True)
    return _respond(fmt, "services", "service", [_service(c) for c in categories])


@require_GET
@_guard
def service_definition(request, code: str, fmt: str):
    if not NeedCategory.objects.filter(active=True, code=code).exists():
        raise Open311Error(404, "service_code not found")
    row = {"service_code": code, "attributes": []}
    if fmt == "json":
        return _respond(fmt, "", "", row)  # a single object, as in the specification
    body = (
        '<?xml version="1.0" encoding="utf-8"?><service_definition>'
        f"<service_code>{_xml_text(code)}</service_code><attributes></attributes>"
        "</service_definition>"
    )
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


# --- requests ----------------------------------------------------------------------------------

STATUS_OPEN = [str(s) for s in OPEN_STATES]


def _status(state: str) -> str:
    return "open" if state in STATUS_OPEN else "closed"


def _status_notes(state: str) -> str:
    return str(NeedState(state).label) if state in NeedState.values else ""


# The need's columns and, by key, its unit's and place's names (one indexed lookup each per
# row); the category's code and name come from a dictionary of the small category table. The
# two times are read as the database's text and parsed by ``datetime.fromisoformat`` (C): on
# PostgreSQL, Django's time-zone-aware loader for psycopg is pure Python, about 10 µs a value,
# which at 1,000 rows of two times was a third of the page.
REQUEST_COLUMNS = (
    "pk",
    "state",
    "summary",
    "category_id",
    "unit__name",
    "organization__name",
    "organization__code",
    "submitted_text",
    "updated_text",
    "resolve_due",
)


def _request_values(rows):
    """``rows`` (a queryset of needs) as value tuples of ``REQUEST_COLUMNS``."""
    return rows.annotate(
        submitted_text=Cast("submitted_at", TextField()),
        updated_text=Cast("updated_at", TextField()),
    ).values_list(*REQUEST_COLUMNS)


def _categories() -> dict[int, tuple[str, str]]:
    """Every category, id → (code, name): a small table, read once per request."""
    rows = NeedCategory.objects.values_list("pk", "code", "name")
    return {pk: (code, name) for pk, code, name in rows}


class _RowWriter:
    """Turns value rows (tuples of ``REQUEST_COLUMNS``) into the standard's request rows:
    status words, deadlines and the time zone computed once per distinct value, not per row
    (1,000 rows a page)."""

    def __init__(self, categories: dict[int, tuple[str, str]]):
        self.tz = timezone.get_current_timezone()
        self.categories = categories
        self.states = {s: (_status(s), _status_notes(s)) for s in NeedState.values}
        self.expected: dict[dt.date, str] = {}

    def iso(self, text: str | None) -> str:
        """A time as the database wrote it (PostgreSQL with its offset, SQLite in UTC without
        one), in the deployment's zone to the second."""
        if not text:
            return ""
        value = dt.datetime.fromisoformat(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(self.tz).isoformat(timespec="seconds")

    def row(self, v: tuple) -> dict:
        pk, state, summary, category_id, unit, place, place_code, submitted, updated, due = v
        status, notes = self.states.get(state) or (_status(state), "")
        expected = self.expected.get(due)
        if expected is None:
            expected = self.expected[due] = _expected(due)
        code, name = self.categories.get(category_id, ("", ""))
        return {
            "service_request_id": pk,
            "status": status,
            "status_notes": notes,
            "service_name": name,
            "service_code": code,
            "description": summary,
            "agency_responsible": unit or "",
            "service_notice": "",
            "requested_datetime": self.iso(submitted),
            "updated_datetime": self.iso(updated),
            "expected_datetime": expected,
            "address": place,
            "address_id": place_code,
            "zipcode": "",
            "lat": "",
            "long": "",
            "media_url": "",
        }

    def rows(self, values: list[tuple]) -> list[dict]:
        return [self.row(v) for v in values]


def _request_rows(values: list[tuple], categories=None) -> list[dict]:
    return _RowWriter(categories or _categories()).rows(values)


def _date_arg(request, name: str):
    raw = request.GET.get(name)
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+")) if "T" in raw else None
    if value is None or value.tzinfo is None:
        raise Open311Error(400, f"{name} must be a W3C date-time with a time zone")
    return value


def _whole(request, name: str, most: int | None = None) -> int | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return None
    if not re.fullmatch(r"[0-9]{1,9}", raw.strip()) or int(raw) < 1:
        raise Open311Error(400, f"{name} must be a whole number from 1")
    if most is not None and int(raw) > most:
        raise Open311Error(400, f"{name} may not be more than {most}")
    return int(raw)


def _paging(request) -> tuple[int, int]:
    """The ``page_size``/``page`` extension (not in GeoReport v2): without them the answer is
    the standard's — the newest ``MAX_REQUESTS`` of the window; with them, ``page_size`` rows
    (1 to ``MAX_REQUESTS``) from row ``(page - 1) × page_size`` of the same ordering."""
    size = _whole(request, "page_size", MAX_REQUESTS) or MAX_REQUESTS
    page = _whole(request, "page") or 1
    return size, page


def _list(request, fmt: str):
    categories = _categories()
    rows = Need.objects.exclude(state=NeedState.MERGED)
    ids = request.GET.get("service_request_id")
    if ids:
        try:
            wanted = [int(i) for i in ids.split(",") if i.strip()][:MAX_REQUESTS]
        except ValueError:
            raise Open311Error(400, "service_request_id must be a list of ids") from None
        rows = rows.filter(pk__in=wanted)
    else:
        codes = {c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()}
        if codes:
            ids = [pk for pk, (code, _) in categories.items() if code in codes]
            rows = rows.filter(category_id__in=ids)
        start, end = _date_arg(request, "start_date"), _date_arg(request, "end_date")
        window = dt.timedelta(days=DEFAULT_WINDOW_DAYS)
        if start is None and end is None:
            start = timezone.now() - window
        elif start is None:
            start = end - window
        elif end is None:
            end = start + window
        elif end - start > window:
            raise Open311Error(400, "start_date and end_date may not span more than 90 days")
        rows = rows.filter(submitted_at__gte=start)
        if end is not None:
            rows = rows.filter(submitted_at__lte=end)
        statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open or closed")
        if statuses == {"open"}:
            rows = rows.filter(state__in=STATUS_OPEN)
        elif statuses == {"closed"}:
            rows = rows.exclude(state__in=STATUS_OPEN)
    size, page = _paging(request)
    start = (page - 1) * size
    rows = _request_values(rows.order_by("-submitted_at", "-id"))
    values = list(rows[start : start + size])
    return _respond(fmt, "service_requests", "request", _request_rows(values, categories))


def _client(api_key: str) -> Open311Client:
    if not api_key:
        raise Open311Error(403, "api_key is missing")
    client = Open311Client.objects.filter(key_hash=crypto.lookup_hash(api_key), active=True).first()
    if client is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    return client


def _spend(client: Open311Client) -> None:
    """Count one POST for the client's key; past ``OPEN311_POSTS_PER_HOUR`` a 429 in the
    standard's error format (nothing is written)."""
    from django.conf import settings

    from tongchou.core import ratelimit

    limit = settings.OPEN311_POSTS_PER_HOUR
    verdict = ratelimit.hit("open311-post", str(client.pk), limit=limit)
    if not verdict.allowed:
        raise Open311Error(
            429,
            f"Too many requests: this api_key may POST {limit} requests per hour; "
            f"try again in {verdict.retry_after} seconds.",
            retry_after=verdict.retry_after,
        )


def _post_data(request) -> dict:
    content_type = request.content_type or ""
    if content_type == "application/json":
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise Open311Error(400, "malformed JSON body") from None
        if not isinstance(data, dict):
            raise Open311Error(400, "malformed JSON body")
        return {k: "" if v is None else str(v) for k, v in data.items()}
    return {k: v for k, v in request.POST.items()}


def _coordinate(data: dict, name: str, bound: int):
    raw = data.get(name, "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise Open311Error(400, f"{name} must be a number") from None
    if not -bound <= value <= bound:
        raise Open311Error(400, f"{name} out of range")
    return value


def _create(request, fmt: str):
    data = _post_data(request)
    client = _client(data.get("api_key", "").strip())
    _spend(client)
    code = data.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    category = NeedCategory.objects.filter(active=True, code=code).first()
    if category is None:
        raise Open311Error(404, "service_code not found")
    lat, long = _coordinate(data, "lat", 90), _coordinate(data, "long", 180)
    address_string = data.get("address_string", "").strip()
    address_id = data.get("address_id", "").strip()
    if (lat is None or long is None) and not address_string and not address_id:
        raise Open311Error(
            400, "a location is required: lat and long, address_string or address_id"
        )
    place = client.organization
    if address_id:
        place = Organization.objects.filter(code=address_id, status=OrgStatus.ACTIVE).first()
        if place is None:
            raise Open311Error(400, "address_id not found")
    description = data.get("description", "")
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, f"description is longer than {DESCRIPTION_MAX} characters")
    name = " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p)
    summary = (description.strip().splitlines() or [category.name])[0][:200] or category.name
    try:
        need = services.need_submit(
            actor=None,
            intake=Intake.OPEN311,
            category=category,
            organization=place,
            summary=summary,
            description=description,
            address=address_string[:200],
            resident_name=name[:50],
            phone=data.get("phone", ""),
            lat=lat,
            long=long,
        )
    except ApplicationError as exc:
        raise Open311Error(400, f"{exc.field or exc.code}: {exc.message}") from None
    row = {"service_request_id": need.pk, "service_notice": "", "account_id": ""}
    return _respond(fmt, "service_requests", "request", [row], status=201)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_guard
def requests(request, fmt: str):
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


@require_GET
@_guard
def request_detail(request, pk: str, fmt: str):
    try:
        pk_int = int(pk)
    except ValueError:
        raise Open311Error(404, "service_request_id not found") from None
    rows = Need.objects.exclude(state=NeedState.MERGED).filter(pk=pk_int)
    values = list(_request_values(rows))
    if not values:
        raise Open311Error(404, "service_request_id not found")
    return _respond(fmt, "service_requests", "request", _request_rows(values))


@require_GET
@_guard
def token_detail(request, token: str, fmt: str):
    pk = Need.objects.filter(token=token).values_list("pk", flat=True).first()
    if pk is None:
        raise Open311Error(404, "token not found")
    row = {"service_request_id": pk, "token": token}
    return _respond(fmt, "service_requests", "request", [row])
