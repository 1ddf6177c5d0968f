from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "tongchou.linkage"
    label = "linkage"
    verbose_name = _("产销对接")

    def ready(self):
        from tongchou.core import tree
        from tongchou.linkage.models import (
            Buyer,
            Lot,
            Order,
            OutletSale,
            Plan,
            Producer,
            Reservation,
            Shipment,
        )

        for model, fields in (
            (Producer, ("village_path", "chain_path")),
            (Lot, ("village_path", "chain_path")),
            (Buyer, ("org_path",)),
            (Order, ("buyer_path", "chain_path")),
            (Plan, ("chain_path",)),
            (Shipment, ("chain_path", "village_path", "buyer_path")),
            (Reservation, ("buyer_path",)),
            (OutletSale, ("buyer_path",)),
        ):
            for name in fields:
                tree.register_path_copy(model, name)
