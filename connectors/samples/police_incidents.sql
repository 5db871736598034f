-- Demo incident table of a 110 command system, for the police-incidents connector.
--
-- Constructed for Linkage (not real records), modelled on what a command system keeps
-- per police incident: number, times, kind, summary, caller, place, handling unit and
-- stage. The scenario is the made-up 15 June 2026 landslide in Guangming District of
-- tests/data/events/; names are placeholders (王五, 赵六), phone numbers 13x00000000,
-- addresses invented. Times are Beijing time with their offset.
--
-- Runs on SQLite (connectors.police_incidents.seed_sqlite) and PostgreSQL (psql -f).
-- row_version is the connector's monotonic column. A real command system takes it from
-- a sequence on every insert and update (a trigger, or rowversion on SQL Server); here
-- the values are written out, and the UPDATEs at the end are follow-ups: each bumps
-- row_version, so the connector reads the row again as a new state of the incident.
-- The last row is deliberately wrong (latitude and longitude swapped) to show a rejection.

CREATE TABLE police_incidents (
    incident_no VARCHAR(32) PRIMARY KEY,
    row_version BIGINT NOT NULL UNIQUE,
    received_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE,
    incident_type VARCHAR(32) NOT NULL,
    incident_subtype VARCHAR(200),
    summary TEXT NOT NULL,
    caller_name VARCHAR(100),
    caller_phone VARCHAR(32),
    address VARCHAR(200),
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    district_code CHAR(6),
    police_unit VARCHAR(200),
    officers_dispatched INTEGER,
    status VARCHAR(32) NOT NULL,
    incident_id VARCHAR(64),
    emergency_category VARCHAR(32),
    emergency_severity VARCHAR(8)
);

INSERT INTO police_incidents (incident_no, row_version, received_at, updated_at, incident_type, incident_subtype, summary, caller_name, caller_phone, address, lat, lon, district_code, police_unit, officers_dispatched, status, incident_id, emergency_category, emergency_severity) VALUES
('PI-20260615-GM-0413', 1, '2026-06-15T13:12:00+08:00', '2026-06-15T13:12:00+08:00', 'DISASTER_ACCIDENT', 'Landslide, people may be trapped (滑坡, 疑有人员被困)', 'Caller reports a landslide of spoil onto workshops below a landfill; says several workers may be inside (报警称受纳场滑坡冲入坡下厂房, 可能有工人被困).', 'Wang Wu (王五)', '13900000000', 'No. 1 Example Road, Guangming District (光明区示例路1号)', 22.7682, 113.9275, '440311', NULL, NULL, 'RECEIVED', NULL, NULL, NULL);

INSERT INTO police_incidents (incident_no, row_version, received_at, updated_at, incident_type, incident_subtype, summary, caller_name, caller_phone, address, lat, lon, district_code, police_unit, officers_dispatched, status, incident_id, emergency_category, emergency_severity) VALUES
('PI-20260615-GM-0420', 2, '2026-06-15T13:21:00+08:00', '2026-06-15T13:24:00+08:00', 'TRAFFIC', 'Road blocked by mud (泥石堵路)', 'Driver reports mud and spoil across the landfill access road; two cars stopped, nobody hurt (驾驶员报受纳场进场道路被泥土掩埋, 两车受阻, 无人受伤).', 'Zhao Liu (赵六)', '13700000000', 'Landfill access road near the No. 7 gate (受纳场进场道路7号门附近)', 22.7701, 113.9252, '440311', 'Guangming traffic police brigade (光明交警大队)', 4, 'DISPATCHED', NULL, NULL, NULL);

INSERT INTO police_incidents (incident_no, row_version, received_at, updated_at, incident_type, incident_subtype, summary, caller_name, caller_phone, address, lat, lon, district_code, police_unit, officers_dispatched, status, incident_id, emergency_category, emergency_severity) VALUES
('PI-20260615-GM-0431', 3, '2026-06-15T13:40:00+08:00', '2026-06-15T13:40:00+08:00', '求助', 'Residents ask for help to leave (群众求助撤离)', 'Residents of a dormitory next to the slide ask how to leave; cracks seen in a wall (宿舍居民求助撤离, 称墙体出现裂缝).', NULL, '13600000000', 'Dormitory, No. 3 Example Road (示例路3号宿舍)', 22.7675, 113.9290, '440311', NULL, NULL, '已接警', NULL, NULL, NULL);

INSERT INTO police_incidents (incident_no, row_version, received_at, updated_at, incident_type, incident_subtype, summary, caller_name, caller_phone, address, lat, lon, district_code, police_unit, officers_dispatched, status, incident_id, emergency_category, emergency_severity) VALUES
('PI-20260615-GM-0442', 4, '2026-06-15T14:05:00+08:00', '2026-06-15T14:05:00+08:00', 'PUBLIC_ORDER', 'Onlookers at the cordon (警戒线外围观)', 'Crowd of onlookers pushing at the cordon on Example Road (示例路警戒线外人员聚集).', NULL, '13500000000', 'Example Road cordon (示例路警戒线)', 113.9260, 22.7690, '440311', NULL, NULL, 'RECEIVED', NULL, NULL, NULL);

-- Follow-ups: the landslide call is dispatched and linked to the Emergency Management
-- Bureau's incident; the residents' call is answered on scene.
UPDATE police_incidents SET row_version = 5, updated_at = '2026-06-15T13:15:00+08:00', status = 'DISPATCHED', police_unit = 'Guangming Sub-bureau, Fenghuang police station (光明分局凤凰派出所)', officers_dispatched = 12, incident_id = 'INC-2026-GM-0615-01', emergency_category = 'ACCIDENT_DISASTER', emergency_severity = 'I' WHERE incident_no = 'PI-20260615-GM-0413';

UPDATE police_incidents SET row_version = 6, updated_at = '2026-06-15T13:58:00+08:00', status = '已到场', police_unit = 'Guangming Sub-bureau, Fenghuang police station (光明分局凤凰派出所)', officers_dispatched = 3, incident_id = 'INC-2026-GM-0615-01' WHERE incident_no = 'PI-20260615-GM-0431';
