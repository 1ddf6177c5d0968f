"""One row by the id a URL or a form gives, or a 404 — the one way the selectors do it.

A value that is not an id (letters, "²", a number past 64 bits, 0) is a 404 like an id that
names nothing the caller may read: the answer never says whether the row exists elsewhere."""

from django.db.models import QuerySet
from django.http import Http404

from tongchou.core.validators import parse_id


def pk_or_404(value) -> int:
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


def one_or_404(queryset: QuerySet, pk):
    """The row of ``queryset`` (already scoped to the caller) with this id."""
    row = queryset.filter(pk=pk_or_404(pk)).first()
    if row is None:
        raise Http404
    return row
