"""Housing and Construction Bureau connector: slope and landfill monitoring readings to
``housing.slope-monitoring``, and the hazards they raise to
``housing.site-hazard-inspection``.

The source. The automated monitoring platform exports its readings as CSV, one line per
reading: GNSS stations (surface displacement, settlement, displacement rate), crack
meters, piezometers (pore water pressure, groundwater depth) and rain gauges, each line
giving what its sensor measures. The export only grows, as one file or as a folder of
daily files; readings are taken from where the checkpoint left off (:mod:`logfiles`).
The columns are in :mod:`reading`; times without an offset are Shenzhen time.

Alert levels. Each reading is held against its point's thresholds (built-in defaults,
then a thresholds file by site kind and by point, by default the one beside the
readings: :mod:`thresholds`); its event carries
the most severe level reached (``alert_level``) and the metrics that reached one
(``triggered_by``). No classification: a reading is routine.

Hazards. A reading that raises its point above the level it stood at is also a site
hazard event: an inspection by the monitoring system, with a finding per metric over
its threshold, MAJOR at orange and red, stop-work at red, and a GB/T 35561 category
(:mod:`hazard`). While a point stays at its level, its readings raise nothing more; the
level of every point above normal is kept in the checkpoint (:mod:`levels`), so a
restart neither repeats a hazard nor misses a rise.

Event ids come from the sensor, the reading's time and its values, so a reading read
twice is one event, and its hazard one hazard.
"""

from connectors.housing_monitoring.connector import SlopeMonitoringConnector, SlopeReading

__all__ = ["SlopeMonitoringConnector", "SlopeReading"]
