"""transfers.selectors: both sides, the upper committee and the member see a transfer; nobody
else does (out of scope is a 404, like missing)."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from tongchou.transfers import selectors, services
from tongchou.transfers.models import Transfer, TransferKind
from tongchou.transfers.tests.conftest import approve_out, approve_upper, inward, within

pytestmark = pytest.mark.django_db


def visible(user):
    return set(selectors.transfer_list_for(user).values_list("pk", flat=True))


def test_both_sides_and_the_upper_committee_see_a_cross_county_transfer(w):
    t = within(w, to_org=w.village_b)
    for user in (w.secretary_a, w.admin_a, w.secretary_b, w.admin_b, w.city_admin, w.root):
        assert t.pk in visible(user), user
        assert selectors.transfer_get_for(user, t.pk) == t
    for user in (w.secretary_a2, w.norole, w.member_a):
        assert t.pk not in visible(user), user
        with pytest.raises(Http404):
            selectors.transfer_get_for(user, t.pk)


def test_upper_committee_sees_through_upper_path_only(w):
    # An outward transfer touches the outflow side and the county committee above it.
    t = services.transfer_request(
        actor=w.secretary_a, member=w.m1, kind=TransferKind.OUTWARD, to_text="外地", reason="r"
    )
    assert t.pk in visible(w.admin_a)  # covers both the outflow and the upper paths
    t2 = within(w, member=w.mb, actor=w.admin_b, to_org=w.village_a)
    assert t2.upper_path == w.county_b.path
    assert t2.pk in visible(w.secretary_a)  # inflow side
    assert t2.pk not in visible(w.secretary_a2)


def test_member_sees_their_own_transfer_only(w):
    own = within(w, actor=w.self_user, member=w.own)
    other = within(w)
    assert visible(w.self_user) == {own.pk}
    with pytest.raises(Http404):
        selectors.transfer_get_for(w.self_user, other.pk)
    assert list(selectors.transfers_of_member(w.own)) == [own]


def test_inward_is_seen_by_the_receiving_side(w):
    t = inward(w, to_org=w.village_a2)
    assert t.pk in visible(w.secretary_a2) and t.pk in visible(w.admin_a)
    assert t.pk not in visible(w.secretary_a) and t.pk not in visible(w.admin_b)


def test_get_for_rejects_garbage_ids(w):
    for pk in ("x", None, "1.5"):
        with pytest.raises(Http404):
            selectors.transfer_get_for(w.root, pk)


def test_pending_for_is_the_step_each_user_may_take(w):
    t = within(w, to_org=w.village_b)
    assert set(selectors.pending_for(w.secretary_a)) == {t}
    assert not selectors.pending_for(w.secretary_b).exists()
    approve_out(actor=w.secretary_a, transfer=t)
    assert not selectors.pending_for(w.secretary_a).exists()  # upper approval is the county's
    assert set(selectors.pending_for(w.admin_a)) == {t}
    approve_upper(actor=w.admin_a, transfer=t)
    assert set(selectors.pending_for(w.secretary_b)) == {t}
    assert not selectors.pending_for(w.admin_a).exists()
    assert not selectors.pending_for(w.self_user).exists()


def test_pending_outward_completion_is_the_outflow_sides(w):
    t = services.transfer_request(
        actor=w.clerk_a, member=w.m1, kind=TransferKind.OUTWARD, to_text="外地", reason="r"
    )
    approve_out(actor=w.admin_a, transfer=t)
    approve_upper(actor=w.admin_a, transfer=t)
    assert set(selectors.pending_for(w.secretary_a)) == {t}


def test_overdue_flag_and_filter(w):
    from tongchou.transfers.filters import TransferFilter

    late = within(w)
    fresh = within(w, member=w.m2)
    for t in (late, fresh):
        approve_out(actor=w.admin_a, transfer=t)
    Transfer.objects.filter(pk=late.pk).update(
        letter_valid_until=timezone.localdate() - dt.timedelta(days=3)
    )

    class Request:
        user = w.secretary_a2  # the inflow side sees the flag too

    rows = TransferFilter(
        {"overdue": "true"}, queryset=selectors.transfer_list_for(w.secretary_a2), request=Request
    ).qs
    assert list(rows) == [late]
    assert Transfer.objects.get(pk=late.pk).is_overdue


def test_filter_direction_kind_state_and_name(w):
    from tongchou.transfers.filters import TransferFilter

    out = within(w, to_org=w.village_b)
    coming = within(w, member=w.mb, actor=w.admin_b, to_org=w.village_a)
    arriving = inward(w, to_org=w.village_a)

    class Request:
        user = w.admin_a

    def rows(**params):
        base = selectors.transfer_list_for(w.admin_a)
        return set(TransferFilter(params, queryset=base, request=Request).qs)

    assert rows(direction="out") == {out}
    assert rows(direction="in") == {coming, arriving}
    assert rows(kind="inward") == {arriving}
    assert rows(state="awaiting_inflow") == {arriving}
    assert rows(q="李转") == {arriving}
    # ``org`` narrows what the scope shows (here: the visible ones touching village B).
    assert rows(org=str(w.village_b.pk)) == {out, coming}
    assert rows(org=str(w.village_a.pk), direction="in") == {coming, arriving}
    assert not TransferFilter(
        {"org": "0"}, queryset=Transfer.objects.all(), request=Request
    ).is_valid()
