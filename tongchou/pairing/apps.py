"""Pairing across the urban–rural line (结对共建, 两联两帮, 六联).

STYLE.md lists pairing under ``organizations``; it lives here instead, as a capability app,
because a pair's yearly summary reads the records of organizational life, resources, education
and talent — apps that sit above ``organizations``. Dependencies point down, so pairing sits
above them all and imports only their models, selectors and flows.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairingConfig(AppConfig):
    name = "tongchou.pairing"
    label = "pairing"
    verbose_name = _("结对共建")

    def ready(self):
        from tongchou.core import tree
        from tongchou.pairing import flows
        from tongchou.pairing.models import PairMember
        from tongchou.resources import flows as resource_flows

        tree.register_path_copy(PairMember, "org_path")
        resource_flows.register(flows.PAIRING)
