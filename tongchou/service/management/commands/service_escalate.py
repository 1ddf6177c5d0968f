"""Daily: escalate overdue needs (street, then county) and close resolved needs whose
reopening window has passed without an answer. Idempotent; run from cron or a task runner."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from tongchou.service import services
from tongchou.service.models import Need, NeedState


class Command(BaseCommand):
    help = "Escalate overdue needs and close resolved ones past the reopening window."

    def handle(self, *args, **options):
        streets, counties = services.needs_escalate()
        cutoff = timezone.now() - dt.timedelta(days=services.REOPEN_DAYS)
        closed = 0
        stale = Need.objects.filter(state=NeedState.RESOLVED, resolved_at__lt=cutoff)
        for need in stale.only("pk").iterator():
            services.need_close(actor=None, need=need, note="window over")
            closed += 1
        self.stdout.write(
            f"escalated to streets {streets}, to counties {counties}; closed {closed}"
        )
