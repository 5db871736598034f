"""The connector: readings taken from the export's log, each a slope-monitoring event,
and a site-hazard event when a reading raises its point's level."""

from __future__ import annotations

import codecs
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.housing_monitoring import logfiles
from connectors.housing_monitoring.assessment import Assessment, assess
from connectors.housing_monitoring.hazard import HAZARD_STREAM, hazard_event
from connectors.housing_monitoring.levels import levels_in, point_level, rises, updated
from connectors.housing_monitoring.reading import Reading, parse_reading
from connectors.housing_monitoring.slope import slope_event
from connectors.housing_monitoring.thresholds import Thresholds, beside
from hub.connect import Connector, RecordRejected, Routed, SourceRecord

log = logging.getLogger(__name__)

MONITORING_UNIT = "Slope and landfill automated monitoring platform (边坡与受纳场自动化监测平台)"


@dataclass(frozen=True, slots=True)
class SlopeReading(SourceRecord):
    """A reading's record, with the level its point stood at before it.

    Whether a reading raises its point is a fact of the readings before it, which only
    :meth:`SlopeMonitoringConnector.read` walks through; ``map`` sees one record, so
    the record tells it. ``None``: normal, or not known (a record made elsewhere), when
    any breach raises a hazard."""

    point_level_before: str | None = None


class SlopeMonitoringConnector(Connector):
    """Slope and landfill monitoring readings from the monitoring platform's CSV export.

    Args:
        source: The export file, which the platform appends readings to; or a folder of
            such files (one a day, say), read in name order.
        thresholds: A YAML or JSON thresholds file (see :mod:`thresholds`); by default
            the one beside the readings (``slope-readings.thresholds.yaml`` for
            ``slope-readings.csv``, ``thresholds.yaml`` in a folder), else the built-in
            defaults alone. Read once, when the connector is made.
        encoding: The export's encoding; a byte-order mark is passed over.
        monitoring_unit: Who the hazard events say inspected: the platform.
    """

    name = "housing-monitoring"
    stream = "housing.slope-monitoring"
    also = (HAZARD_STREAM,)
    #: Points report every 10 to 60 minutes, more often on alert.
    poll_s = 30.0

    def __init__(
        self,
        source: str | Path,
        *,
        thresholds: str | Path | None = None,
        encoding: str = "utf-8",
        monitoring_unit: str = MONITORING_UNIT,
    ) -> None:
        self.source = Path(source)
        plan = thresholds if thresholds is not None else beside(self.source)
        log.info("%s: thresholds %s", self.name, plan or "built in")
        self.thresholds = Thresholds.load(plan)
        try:
            self.encoding = codecs.lookup(encoding).name
        except LookupError:
            raise ValueError(f"unknown encoding {encoding!r}; for example utf-8") from None
        self.monitoring_unit = monitoring_unit

    def read(self, position: Any) -> Iterator[SourceRecord]:
        levels = levels_in(position)
        for line in logfiles.lines(self.source, position):
            before = None
            try:
                reading = parse_reading(line.raw, self.encoding)
            except (RecordRejected, ValueError):
                pass  # dead-lettered by map; the levels stand
            else:
                before = point_level(levels, reading.point)
                measured = self._assess(reading).levels
                levels = updated(levels, reading.point, measured)
            checkpoint = {**logfiles.checkpoint(line), "levels": levels}
            yield SlopeReading(line.ref, line.raw, checkpoint, point_level_before=before)

    def map(self, record: SourceRecord) -> list[dict[str, Any] | Routed]:
        if not isinstance(record.raw, bytes):
            raise ValueError(f"{record.ref}: expected the reading's bytes, got {type(record.raw)}")
        reading = parse_reading(record.raw, self.encoding)
        assessment = self._assess(reading)
        events: list[dict[str, Any] | Routed] = [slope_event(reading, assessment)]
        before = record.point_level_before if isinstance(record, SlopeReading) else None
        if rises(before, assessment.level):
            hazard = hazard_event(reading, assessment, monitoring_unit=self.monitoring_unit)
            events.append(Routed(HAZARD_STREAM, hazard))
        return events

    def _assess(self, reading: Reading) -> Assessment:
        bands = self.thresholds.at(reading.site_kind, reading.site_id, reading.point_id)
        return assess(reading.values, bands, reading.rainfall_period_minutes)
