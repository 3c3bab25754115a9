"""Stop-work orders and the safety check before a start or restart: the project's site safety.

A critical defect stops its zone (`000` part 3 七(三)); the stop holds until the critical orders
that caused it are verified and a re-inspection finds nothing critical, or an authorised official
lifts it with a reason. Work (re)starts only after a passed check of scaffolding, lifting
equipment, hazardous works, temporary power and fire (`002` 三(五)) newer than the zone's last stop.
"""

from __future__ import annotations

from services.construction.domain.works import SITE_ZONE
from shared.errors import InvalidCommand
from shared.event import DomainEvent


class SiteSafety:
    """The stop-work and safety-check part of the project aggregate (mixed into Project)."""

    class StopWorkOrdered(DomainEvent):
        event_type = "construction.StopWorkOrdered"
        zone: str
        inspection_id: str
        defect_ids: tuple[str, ...]

    class StopWorkLifted(DomainEvent):
        event_type = "construction.StopWorkLifted"
        zone: str
        inspection_id: str
        # Set when an authorised official lifts the stop (no inspection), or when the last
        # critical order that caused it was verified after a clean re-inspection.
        reason: str = ""
        authorised: bool = False

    class StopWorkHeld(DomainEvent):
        """A clean re-inspection did not lift the stop: critical orders that caused it are still open."""

        event_type = "construction.StopWorkHeld"
        zone: str
        inspection_id: str
        open_orders: tuple[str, ...]

    class SafetyCheckPassed(DomainEvent):
        """The check before a start or restart found the zone's scaffolding, lifting, hazardous works,
        temporary power and fire safety in order (an inspection of kind start_check)."""

        event_type = "construction.SafetyCheckPassed"
        zone: str
        inspection_id: str

    stops: dict[str, str]
    # Per stopped zone: the critical defects (= their orders' ids) that stopped it, and the clean
    # re-inspection that will lift it once those orders are verified.
    stop_causes: dict[str, set[str]]
    held: dict[str, str]
    # Per zone, the sequence number of its last passed safety check and of its last stop-work
    # order: work may (re)start only on a check newer than the stop.
    checked: dict[str, int]
    stopped: dict[str, int]
    sequence = 0


    def pass_safety_check(self, *, zone: str, inspection_id: str) -> None:
        """Record that the check before a start or restart found the zone safe."""
        self._check_open()
        self._record(self.SafetyCheckPassed(zone=zone, inspection_id=inspection_id))

    def safety_checked(self, zone: str) -> bool:
        """Whether a safety check of the zone (or the whole site) passed since its last stop-work order."""
        last_check = max(self.checked.get(zone, 0), self.checked.get(SITE_ZONE, 0))
        last_stop = max(self.stopped.get(zone, 0), self.stopped.get(SITE_ZONE, 0))
        return last_check > last_stop

    def order_stop(self, *, zone: str, inspection_id: str, defect_ids: tuple[str, ...]) -> None:
        """Stop work in a zone because of a critical defect."""
        self._check_open()
        self._record(self.StopWorkOrdered(zone=zone, inspection_id=inspection_id, defect_ids=defect_ids))

    def lift_stop(self, *, zone: str, inspection_id: str, open_orders: set[str]) -> bool:
        """A re-inspection found nothing critical: lift the stop, unless an order that caused it is open.

        The critical defect stopped the work, so the stop holds until its rectification order is
        verified (`003` 四(三): rectify, then resume); the clean re-inspection is remembered and the
        stop lifts when the last such order is verified (`order_verified`).
        """
        if zone not in self.stops:
            return False
        still_open = tuple(sorted(self.stop_causes.get(zone, set()) & open_orders))
        if still_open:
            self._record(self.StopWorkHeld(zone=zone, inspection_id=inspection_id, open_orders=still_open))
            return False
        self._record(self.StopWorkLifted(zone=zone, inspection_id=inspection_id))
        return True

    def order_verified(self, *, order_id: str, open_orders: set[str]) -> list[str]:
        """A rectification order was verified: lift the held stops it was the last open cause of."""
        lifted = []
        for zone, inspection_id in list(self.held.items()):
            causes = self.stop_causes.get(zone, set())
            if order_id in causes and not causes & (open_orders - {order_id}):
                self._record(self.StopWorkLifted(zone=zone, inspection_id=inspection_id,
                                                 reason=f"停工原因整改单 {order_id} 已复核销项"))
                lifted.append(zone)
        return lifted

    def lift_stop_by_authority(self, *, zone: str, reason: str) -> None:
        """An authorised official lifts a zone's stop with a written reason (on record, with who)."""
        self._check_open()
        if zone not in self.stops:
            raise InvalidCommand(f"{_zone(zone)}没有生效的停工令", code="no_stop_work")
        if len(reason.strip()) < 4:
            raise InvalidCommand("解除停工令必须写明理由（至少 4 个字）", code="lift_reason")
        self._record(self.StopWorkLifted(zone=zone, inspection_id="", reason=reason.strip(), authorised=True))

    def stop_for(self, zone: str) -> str | None:
        """The stopped zone that stops work in `zone` (itself or the whole site), if any."""
        if zone in self.stops:
            return zone
        return SITE_ZONE if SITE_ZONE in self.stops else None

    def _apply_site_safety(self, event: DomainEvent) -> bool:
        """Change state by a site-safety event; False if the event is not one."""
        match event:
            case SiteSafety.SafetyCheckPassed():
                self.sequence += 1
                self.checked[event.zone] = self.sequence
            case SiteSafety.StopWorkOrdered():
                self.sequence += 1
                self.stopped[event.zone] = self.sequence
                self.stops[event.zone] = event.inspection_id
                self.stop_causes.setdefault(event.zone, set()).update(event.defect_ids)
                self.held.pop(event.zone, None)
            case SiteSafety.StopWorkHeld():
                self.held[event.zone] = event.inspection_id
            case SiteSafety.StopWorkLifted():
                self.stops.pop(event.zone, None)
                self.stop_causes.pop(event.zone, None)
                self.held.pop(event.zone, None)
            case _:
                return False
        return True


def _zone(zone: str) -> str:
    return "全小区" if zone == SITE_ZONE else f"“{zone}”"
