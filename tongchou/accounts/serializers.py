"""API shapes of accounts. Input serializers only type-check; every rule is the services'."""

from rest_framework import serializers

from tongchou.core.validators import MAX_ID
from tongchou.organizations.models import RoleKind

Id = lambda **kw: serializers.IntegerField(min_value=1, max_value=MAX_ID, **kw)  # noqa: E731


class AccountRoleSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(choices=RoleKind.choices)
    kind_display = serializers.CharField()
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField()


class AccountMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")


class AccountStationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class AccountSerializer(serializers.Serializer):
    """An account (``accounts.selectors.AccountRow``)."""

    id = serializers.IntegerField(source="user.pk")
    username = serializers.CharField(source="user.username")
    name = serializers.CharField()
    is_active = serializers.BooleanField(source="user.is_active")
    must_change_password = serializers.BooleanField(
        help_text="The person must choose their own password at their next sign-in."
    )
    member = AccountMemberSerializer(allow_null=True)
    roles = AccountRoleSerializer(many=True)
    stations = AccountStationSerializer(many=True)


class IssuedSerializer(serializers.Serializer):
    """An account with the password handed out for it: shown once, stored nowhere in clear."""

    account = AccountSerializer()
    password = serializers.CharField(help_text="Shown once. Must be changed at first sign-in.")
    expires = serializers.DateTimeField(
        help_text="When the password stops signing in unless the person has chosen their own."
    )


class IssuedListSerializer(serializers.Serializer):
    accounts = IssuedSerializer(many=True)


class RoleInputSerializer(serializers.Serializer):
    organization = Id(help_text="Organization id (in your scope).")
    kind = serializers.ChoiceField(choices=RoleKind.choices)


class AccountCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=150)
    member = Id(required=False, allow_null=True, help_text="Member record to link (in scope).")
    role = RoleInputSerializer(required=False, allow_null=True)
    station = Id(required=False, allow_null=True, help_text="Member service station to work at.")


class BulkCreateSerializer(serializers.Serializer):
    organization = Id(help_text="Every member of its subtree without an account gets one.")


class DeactivateSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class LinkMemberSerializer(serializers.Serializer):
    member = Id()
