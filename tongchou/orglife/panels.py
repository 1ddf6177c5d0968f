"""The attendance section of a member's page (members.panels): the last 12 months as facts —
counts by status and the latest sessions — never a score."""

import datetime as dt

from django.http import Http404
from django.utils import timezone

from tongchou.orglife.models import AttendanceStatus
from tongchou.orglife.report import months_back
from tongchou.orglife.selectors import attendance_facts_for


def member_panel(user, member, *, viewer_is_member: bool = False) -> dict | None:
    end = timezone.localdate()
    start = months_back(end, 12) + dt.timedelta(days=1)
    try:
        facts = attendance_facts_for(user, member, start=start, end=end)
    except Http404:
        return None
    counts = [(label, facts.counts[value]) for value, label in AttendanceStatus.choices]
    return {
        "facts": facts,
        "counts": counts,
        "viewer_is_member": viewer_is_member,
        "member_id": member.pk,
    }
