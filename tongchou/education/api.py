"""Member education over REST: courses, study records, skills trainings and their participants.
Reads through the scoped selectors, writes through the services (the same rules as the pages).
A referenced id out of scope answers 404 naming the field; a visible object the caller may not
change answers 403."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from tongchou.core.api import SCOPED, ReferenceNotFound, errors
from tongchou.education import selectors, services
from tongchou.education.filters import CourseFilter, StudyRecordFilter, TrainingFilter
from tongchou.education.models import Course, StudyRecord, Training
from tongchou.education.permissions import can_use_education
from tongchou.education.serializers import (
    CourseSerializer,
    CourseUpdateSerializer,
    CourseWriteSerializer,
    ParticipantsSerializer,
    StudyRecordSerializer,
    StudyRecordWriteSerializer,
    TrainingDetailSerializer,
    TrainingSerializer,
    TrainingUpdateSerializer,
    TrainingWriteSerializer,
)
from tongchou.organizations.models import OrgStatus
from tongchou.organizations.permissions import Action
from tongchou.organizations.selectors import organization_get_for

WRITE_ERRORS = errors(400, 401, 403, 404)
READ_ERRORS = errors(401, 403, 404)


class UsesEducation(BasePermission):
    """A role that sees members somewhere, or staff of a member service station."""

    message = SCOPED[1].message

    def has_permission(self, request, view) -> bool:
        return can_use_education(request.user)


def _ref(fetch, field: str):
    try:
        return fetch()
    except Http404:
        raise ReferenceNotFound(field) from None


def _organization(user, pk, field: str = "organization"):
    org = _ref(lambda: organization_get_for(user, pk, action=Action.MANAGE_MEMBERS), field)
    if org.status != OrgStatus.ACTIVE:
        raise ReferenceNotFound(field)
    return org


@extend_schema_view(
    list=extend_schema(
        summary="Courses offered to the caller's scope (by it, or by an organization above it)",
        responses={200: CourseSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(summary="One course", responses={200: CourseSerializer, **READ_ERRORS}),
)
class CourseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Course.objects.none()
    serializer_class = CourseSerializer
    permission_classes = [IsAuthenticated, UsesEducation]
    filterset_class = CourseFilter

    def get_queryset(self):
        return selectors.course_list_for(self.request.user).select_related("organization")

    def get_object(self) -> Course:
        return selectors.course_get_for(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return Response(CourseSerializer(self.get_object()).data)

    @extend_schema(
        summary="Add a course (offered to the organization's whole subtree)",
        request=CourseWriteSerializer,
        responses={201: CourseSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = CourseWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        args["organization"] = _organization(request.user, args["organization"])
        course = services.course_create(actor=request.user, **args)
        return Response(CourseSerializer(course).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a course",
        request=CourseUpdateSerializer,
        responses={200: CourseSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        course = self.get_object()
        data = CourseUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = services.course_update(actor=request.user, course=course, **data.validated_data)
        return Response(CourseSerializer(course).data)


@extend_schema_view(
    list=extend_schema(
        summary="Study records in scope (filters: org subtree, year, member name)",
        responses={200: StudyRecordSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One study record", responses={200: StudyRecordSerializer, **READ_ERRORS}
    ),
)
class StudyRecordViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = StudyRecord.objects.none()
    serializer_class = StudyRecordSerializer
    permission_classes = SCOPED
    filterset_class = StudyRecordFilter

    def get_queryset(self):
        return (
            selectors.study_record_list_for(self.request.user)
            .select_related("member")
            .order_by("-studied_on", "-id")
        )

    def get_object(self) -> StudyRecord:
        return selectors.study_record_get_for(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return Response(StudyRecordSerializer(self.get_object()).data)

    @extend_schema(
        summary="Record a member's study",
        description="Hours more than 0 and at most 24, the date not in the future. With a "
        "course, the title comes from the course and the hours default to the course's.",
        request=StudyRecordWriteSerializer,
        responses={201: StudyRecordSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        from tongchou.members.selectors import member_get_for

        user = request.user
        data = StudyRecordWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        args["member"] = _ref(
            lambda: member_get_for(user, args["member"], action=Action.MANAGE_MEMBERS), "member"
        )
        if args.get("course") is not None:
            course_id = args["course"]
            args["course"] = _ref(lambda: selectors.course_get_for(user, course_id), "course")
        if args.get("hours") is None:
            args.pop("hours", None)
        record = services.study_record_create(actor=user, **args)
        return Response(StudyRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Delete a study record entered by mistake (not a training's)",
        responses={204: None, **WRITE_ERRORS},
    )
    def destroy(self, request, pk=None):
        services.study_record_delete(actor=request.user, record=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Skills trainings in scope, and at the stations the caller staffs",
        responses={200: TrainingSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One training with its participants",
        responses={200: TrainingDetailSerializer, **READ_ERRORS},
    ),
)
class TrainingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Training.objects.none()
    serializer_class = TrainingSerializer
    permission_classes = [IsAuthenticated, UsesEducation]
    filterset_class = TrainingFilter

    def get_queryset(self):
        return selectors.training_list_for(self.request.user).select_related(
            "organization", "station"
        )

    def get_object(self) -> Training:
        return selectors.training_get_for(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return Response(TrainingDetailSerializer(self.get_object()).data)

    @extend_schema(
        summary="Add a skills training (at an organization, or at a member service station)",
        request=TrainingWriteSerializer,
        responses={201: TrainingDetailSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        user = request.user
        data = TrainingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        station_id, org_id = args.pop("station", None), args.pop("organization", None)
        station = None
        if station_id is not None:
            station = selectors.station_choices_for(user).filter(pk=station_id).first()
            if station is None:
                raise ReferenceNotFound("station")
        if station is not None and org_id in (None, station.organization_id):
            organization = station.organization
        elif org_id is not None:
            organization = _organization(user, org_id)
        else:
            organization = None
        training = services.training_create(
            actor=user, organization=organization, station=station, **args
        )
        return Response(TrainingDetailSerializer(training).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a training (its participants' records follow)",
        request=TrainingUpdateSerializer,
        responses={200: TrainingDetailSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        training = self.get_object()
        data = TrainingUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        training = services.training_update(
            actor=request.user, training=training, **data.validated_data
        )
        return Response(TrainingDetailSerializer(training).data)

    @extend_schema(
        summary="Set the participants (each gets a study record with the training's hours)",
        description="Replaces the list. Accepted: members of the holding organization's "
        "subtree, mobile members whose inflow side is it or this station, and members in the "
        "caller's own management scope; any other id answers 404 (field `members`).",
        request=ParticipantsSerializer,
        responses={200: TrainingDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["put"], filterset_class=None)
    def participants(self, request, pk=None):
        user = request.user
        training = self.get_object()
        data = ParticipantsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = set(data.validated_data["members"])
        members = list(selectors.training_participant_choices(user, training).filter(pk__in=ids))
        if len(members) != len(ids):
            raise ReferenceNotFound("members")
        training = services.training_participants_set(
            actor=user, training=training, members=members
        )
        return Response(TrainingDetailSerializer(training).data)
