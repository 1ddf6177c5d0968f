"""API shapes of organizational life. Input serializers type-check; the rules run inside the
services, the same as for the pages."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.core.validators import MAX_ID
from tongchou.orglife import roster
from tongchou.orglife.forms import YEARS
from tongchou.orglife.models import (
    PRESENT,
    Attendance,
    AttendanceStatus,
    Session,
    SessionFormat,
    SessionKind,
)


class TurnoutSerializer(serializers.Serializer):
    """应到/实到 (see ``orglife.roster``): expected are the members of the organization on the
    session date, less those away with an inflow side looking after them; null for a Party
    group's or a committee's session (no roster)."""

    expected = serializers.IntegerField(allow_null=True, help_text="应到 (null: no roster).")
    attended = serializers.IntegerField(help_text="实到: expected members present.")
    excused = serializers.IntegerField()
    absent = serializers.IntegerField()
    unrecorded = serializers.IntegerField(help_text="Expected members not on the sheet yet.")
    others_present = serializers.IntegerField(help_text="Present, not expected.")
    recorded = serializers.IntegerField(help_text="Rows on the sheet.")


class SessionPartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class SessionSerializer(serializers.ModelSerializer):
    """A session with its 应到/实到 (``turnout``, given in the context by session id)."""

    kind_display = ChoiceLabelField(source="kind")
    format_display = ChoiceLabelField(source="format")
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    station_name = serializers.CharField(
        source="station.name", read_only=True, allow_null=True, default=None
    )
    has_attachment = serializers.SerializerMethodField()
    host_name = serializers.CharField(
        source="host.name", read_only=True, allow_null=True, default=None
    )
    minute_taker_name = serializers.CharField(
        source="minute_taker.name", read_only=True, allow_null=True, default=None
    )
    lecturer_display = serializers.CharField(
        source="lecturer_label", read_only=True, help_text="The lecturer's name, member or not."
    )
    turnout = serializers.SerializerMethodField()
    partners = SessionPartnerSerializer(
        many=True,
        read_only=True,
        help_text="A joint session: the other organizations that held it together with this one.",
    )

    class Meta:
        model = Session
        fields = [
            "id",
            "kind",
            "kind_display",
            "organization",
            "organization_name",
            "station",
            "station_name",
            "starts_at",
            "held_on",
            "format",
            "format_display",
            "place",
            "online_link",
            "topic",
            "minutes",
            "host",
            "host_name",
            "minute_taker",
            "minute_taker_name",
            "lecturer",
            "lecturer_name",
            "lecturer_display",
            "partners",
            "turnout",
            "has_attachment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_attachment(self, obj) -> bool:
        return bool(obj.attachment)

    @extend_schema_field(TurnoutSerializer)
    def get_turnout(self, obj) -> dict:
        turnouts = self.context.get("turnouts")
        if turnouts is None or obj.pk not in turnouts:
            turnouts = roster.turnout_for([obj])
        return TurnoutSerializer(turnouts[obj.pk]).data


class SessionTimeField(serializers.DateTimeField):
    """A session's time, within the years the page's form accepts (a year-1 or year-9999 time
    cannot be made timezone-aware: DRF would crash on it instead of refusing it)."""

    def to_internal_value(self, value):
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:
            parsed = None
        if parsed is None or not (YEARS[0] <= parsed.year <= YEARS[1]):
            raise serializers.ValidationError(_("请填写有效的时间。"))
        return parsed


class SessionWriteSerializer(serializers.Serializer):
    """Typed input for create (organization, or a station whose staff hold it) and PATCH."""

    organization = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Organization id."
    )
    station = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="Member service station id (sessions held at a station).",
    )
    kind = serializers.ChoiceField(choices=SessionKind.choices)
    starts_at = SessionTimeField()
    format = serializers.ChoiceField(choices=SessionFormat.choices)
    topic = serializers.CharField(max_length=200, allow_blank=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    online_link = serializers.CharField(max_length=200, required=False, allow_blank=True)
    minutes = serializers.CharField(required=False, allow_blank=True)
    host = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="Member id: a member of the organization (or a mobile member it looks after).",
    )
    minute_taker = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text="Member id."
    )
    lecturer = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="Party lectures: a member the caller may see; or give `lecturer_name`.",
    )
    lecturer_name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50,
        help_text="Party lectures: the lecturer's name when not a member here.",
    )
    attachment = serializers.FileField(required=False, allow_null=True)
    partners = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=10,
        help_text="A joint session: ids of the other organizations that held it together "
        "(any active organization; the list replaces the previous one).",
    )


class AttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    member_organization = serializers.CharField(source="member.organization.name", read_only=True)
    status_display = ChoiceLabelField(source="status")

    class Meta:
        model = Attendance
        fields = [
            "member",
            "member_name",
            "member_organization",
            "status",
            "status_display",
            "held_on",
        ]
        read_only_fields = fields


class AttendanceEntrySerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)


class AttendanceWriteSerializer(serializers.Serializer):
    """The whole attendance of the session: it replaces what was recorded. ``everyone`` marks
    every expected member (应到) not in ``entries`` present at once; ``entries`` then lists only
    the exceptions (``[]`` when there are none)."""

    entries = AttendanceEntrySerializer(many=True)
    everyone = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in PRESENT],
        required=False,
        allow_null=True,
        help_text="Status of every expected member not listed (sessions with a roster only).",
    )


class PeriodQuerySerializer(serializers.Serializer):
    within = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Organization id (default: the top of the caller's scope).",
    )
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="Default: this year."
    )
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4)
    month = serializers.IntegerField(
        required=False, min_value=1, max_value=12, help_text="Wins over quarter."
    )


class KindFactsSerializer(serializers.Serializer):
    held = serializers.IntegerField(help_text="Sessions that have taken place in the period.")
    expected = serializers.IntegerField()
    planned = serializers.IntegerField(
        help_text="Sessions dated later in the period: planned, not counted as held."
    )


class OrgFactsSerializer(serializers.Serializer):
    org_id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    holders = serializers.IntegerField(help_text="Organizations expected to hold life in the row.")
    has_children = serializers.BooleanField()
    kinds = serializers.DictField(child=KindFactsSerializer(), help_text="By session kind.")


class PeriodSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(allow_null=True)
    month = serializers.IntegerField(allow_null=True)
    start = serializers.DateField()
    end = serializers.DateField()
    through = serializers.DateField(
        allow_null=True, help_text="Last day counted for expectations (null: not begun)."
    )


class ExpectationSummarySerializer(serializers.Serializer):
    within = serializers.SerializerMethodField()
    period = PeriodSerializer()
    frequencies = serializers.DictField(child=serializers.CharField())
    totals = OrgFactsSerializer()
    short = serializers.DictField(
        child=serializers.IntegerField(), help_text="Kind → organizations that held fewer."
    )
    rows = OrgFactsSerializer(many=True)
    children = OrgFactsSerializer(many=True, help_text="Summed per direct child (drill-down).")

    def get_within(self, obj) -> dict:
        return {"id": obj.within.pk, "name": obj.within.name}


class ReportQuerySerializer(serializers.Serializer):
    within = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    months = serializers.IntegerField(required=False, min_value=1, max_value=120)
    flag = serializers.ChoiceField(
        required=False, choices=["flagged", "no_inflow_side", "lost_contact"]
    )
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Rows per page: a whole number from 1 (default 50); more than 500 is reduced "
        "to 500.",
    )


class ReportRowSerializer(serializers.Serializer):
    spell_id = serializers.IntegerField()
    member_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    home_org_id = serializers.IntegerField(allow_null=True)
    home_org = serializers.CharField()
    destination = serializers.CharField()
    inflow_org_id = serializers.IntegerField(allow_null=True)
    inflow_org = serializers.CharField()
    station_id = serializers.IntegerField(allow_null=True)
    station = serializers.CharField()
    since = serializers.DateField()
    last_attended = serializers.DateField(allow_null=True)
    last_contact = serializers.DateField(allow_null=True)
    no_inflow_side = serializers.BooleanField()
    lost_contact = serializers.BooleanField()
    outflow = serializers.BooleanField(
        help_text="A member of the viewed subtree (home side in it), away: the roster's 流动."
    )
    act_with = serializers.ListField(child=serializers.CharField())
    act_with_org = serializers.CharField()


class ReportCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    no_inflow_side = serializers.IntegerField()
    lost_contact = serializers.IntegerField()
    flagged = serializers.IntegerField()
    outflow = serializers.IntegerField(help_text="Rows with `outflow`: the roster's 流动 count.")
    outflow_no_inflow_side = serializers.IntegerField()
    outflow_lost_contact = serializers.IntegerField()
    inflow = serializers.IntegerField(help_text="Rows of people from elsewhere (total - outflow).")


class ReportSerializer(serializers.Serializer):
    months = serializers.IntegerField()
    cutoff = serializers.DateField()
    counts = ReportCountsSerializer()
    count = serializers.IntegerField(help_text="Rows after the flag filter.")
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ReportRowSerializer(many=True)


class MemberAttendanceRowSerializer(serializers.ModelSerializer):
    session_kind = serializers.CharField(source="session.kind", read_only=True)
    topic = serializers.CharField(source="session.topic", read_only=True)
    organization = serializers.CharField(source="session.organization.name", read_only=True)
    station = serializers.CharField(
        source="session.station.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Attendance
        fields = [
            "session",
            "held_on",
            "session_kind",
            "topic",
            "organization",
            "station",
            "status",
        ]
        read_only_fields = fields


class StatusCountsSerializer(serializers.Serializer):
    offline = serializers.IntegerField()
    online = serializers.IntegerField()
    excused = serializers.IntegerField()
    absent = serializers.IntegerField()


class MemberAttendanceSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    total = serializers.IntegerField()
    counts = StatusCountsSerializer()
    away = serializers.IntegerField(help_text="Sessions held at an inflow side or a station.")
    results = MemberAttendanceRowSerializer(many=True)
