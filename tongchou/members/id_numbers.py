"""ID numbers as input: recognizing them in whatever a person typed, keeping them out of URLs,
answering "is this ID number taken?" without telling anyone about people outside their scope,
and a budget of lookups by ID number per person.

Why each piece exists:

* URLs end up in browser history, proxies and every access log, so an ID number must never be
  part of one: pages look ID numbers up by POST, and ``IdNumberInUrlMiddleware`` refuses a GET
  that carries one (a page is sent back to the same address without the query, an API call gets
  a 400), so a link or a bookmark that would put one there stops working at once.
* A refusal that differs with who the ID number belongs to is an oracle: ask about any number
  and learn whether it is a Party member, active or archived. Inside the caller's scope the
  answer names the record (useful: the secretary finds the person); outside it, the same words
  whoever it belongs to (``ID_TAKEN_MESSAGE``), and the record's own organization sees an audit
  event saying someone tried.
* Every lookup by ID number that answers without writing anything spends one of
  ``ID_LOOKUP_LIMIT_PER_HOUR`` per person (``spend_lookup``), counted in the shared cache
  (the database by default), so several app servers count together.
"""

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongchou.core.errors import ApplicationError
from tongchou.core.validators import id_check_char, normalize_id_number

# Full-width digits and letters, and the separators people put inside long numbers.
_WIDE = {ord("０") + i: ord("0") + i for i in range(10)} | {ord("Ｘ"): "X", ord("ｘ"): "X"}
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―－_.·．]+")
_CANDIDATE = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15})(?!\d)")
_DIGIT_RUN = re.compile(r"\d{6,}")


def loosen(text: str) -> str:
    """The text with full-width digits made ASCII and separators inside numbers removed: for
    *finding* ID numbers and phone numbers inside free text (a query string, a name search),
    so it drops more separators than ``core.validators.normalize_id_number`` — the one
    normalization of what is stored, hashed and looked up."""
    return _SEPARATORS.sub("", (text or "").translate(_WIDE))


def _valid_date(yyyymmdd: str) -> bool:
    try:
        year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    except ValueError:
        return False
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    import calendar

    return day <= calendar.monthrange(year, month)[1]


def _is_id(candidate: str) -> bool:
    candidate = candidate.upper()
    if len(candidate) == 18:
        return _valid_date(candidate[6:14]) and id_check_char(candidate[:17]) == candidate[17]
    return len(candidate) == 15 and _valid_date("19" + candidate[6:12])  # the old 15 digits


def contains_id_number(text: str) -> bool:
    """Does ``text`` hold a citizen ID number (18 characters with a valid check character and
    birth date, or an old 15-digit one), in any spelling (full-width, with spaces or dashes)?"""
    if not text:
        return False
    return any(_is_id(m) for m in _CANDIDATE.findall(loosen(text)))


def is_id_number(text: str) -> bool:
    """Is ``text`` (loosely spelled) one ID number and nothing else?"""
    value = normalize_id_number(text)
    return bool(_CANDIDATE.fullmatch(value)) and _is_id(value)


def looks_personal(text: str) -> bool:
    """A query a name search should not carry: an ID number, part of one, or a phone number
    (six digits or more in a row). Names have no digits."""
    return bool(_DIGIT_RUN.search(loosen(text)))


# --- "is this ID number taken?" -------------------------------------------------------------

ID_TAKEN_MESSAGE = gettext_lazy(
    "该身份证号已在本系统登记，不能重复登记。如该党员的组织关系在本系统其他党组织，"
    "请由其所在党组织办理组织关系转接；如有疑问，请与上级党组织联系。"
)


# --- the lookup budget -----------------------------------------------------------------------

WINDOW_SECONDS = 3600


class LookupLimitReached(ApplicationError):
    """Too many lookups by ID number in this hour: the API answers 429, pages say so."""

    status = 429

    def __init__(self, field: str | None = "id_number"):
        super().__init__(
            "too_many_lookups",
            _("一小时内按身份证号查询的次数已达上限（%(n)s次），请稍后再试。")
            % {"n": settings.ID_LOOKUP_LIMIT_PER_HOUR},
            field=field,
        )


def _key(user, window: int) -> str:
    return f"tongchou:id-lookups:{user.pk}:{window}"


def spend_lookup(user, *, field: str | None = "id_number") -> None:
    """Count one lookup by ID number for ``user``; raise ``LookupLimitReached`` past the
    hour's budget (the clock hour: a fixed window). ``ID_LOOKUP_LIMIT_PER_HOUR`` 0 turns the
    budget off; the superuser (who sees every record anyway, and loads the demo) has none.
    ``add`` then ``incr`` is atomic on Redis and Memcached; on the database cache two lookups
    at the same instant may both pass the last step, never more than that."""
    limit = settings.ID_LOOKUP_LIMIT_PER_HOUR
    if limit <= 0 or user is None or not getattr(user, "is_authenticated", False):
        return
    if user.is_superuser:  # sees every record: no lookup tells them anything new
        return
    key = _key(user, int(time.time() // WINDOW_SECONDS))
    if cache.add(key, 1, timeout=WINDOW_SECONDS + 60):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
            count = 1
    if count > limit:
        raise LookupLimitReached(field=field)


def lookups_spent(user) -> int:
    """Lookups counted for ``user`` in the current window (for tests and the admin)."""
    return cache.get(_key(user, int(time.time() // WINDOW_SECONDS)), 0)
