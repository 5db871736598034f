-- Test incidents for the police-incidents connector; see SOURCE.md. Rows only: the tests
-- create the table as the demo sample does (connectors/samples/police_incidents.sql)
-- and then run these INSERTs, on SQLite and PostgreSQL.

INSERT INTO police_incidents (incident_no, row_version, received_at, updated_at, incident_type, incident_subtype, summary, caller_name, caller_phone, address, lat, lon, district_code, police_unit, officers_dispatched, status, incident_id, emergency_category, emergency_severity) VALUES
('PI-20260615-GM-0413', 1, '2026-06-15T13:12:00+08:00', NULL, 'DISASTER_ACCIDENT', 'Landslide, people may be trapped (滑坡, 疑有人员被困)', 'Caller reports a landslide of spoil onto workshops below a landfill (报警称受纳场滑坡冲入坡下厂房).', 'Wang Wu (王五)', '13900000000', 'No. 1 Example Road, Guangming District (光明区示例路1号)', 22.7682, 113.9275, '440311', NULL, NULL, 'RECEIVED', NULL, NULL, NULL);

INSERT INTO police_incidents (incident_no, row_version, received_at, updated_at, incident_type, incident_subtype, summary, caller_name, caller_phone, address, lat, lon, district_code, police_unit, officers_dispatched, status, incident_id, emergency_category, emergency_severity) VALUES
('PI-20260615-GM-0420', 2, '2026-06-15T13:21:00+08:00', '2026-06-15T13:24:00+08:00', '交通', 'Road blocked by mud (泥石堵路)', 'Driver reports mud across the landfill access road (驾驶员报进场道路被泥土掩埋).', 'Zhao Liu (赵六)', '13700000000', 'Landfill access road (受纳场进场道路)', 22.7701, 113.9252, '440311', 'Guangming traffic police brigade (光明交警大队)', 4, '已派警', NULL, NULL, NULL);

INSERT INTO police_incidents (incident_no, row_version, received_at, updated_at, incident_type, incident_subtype, summary, caller_name, caller_phone, address, lat, lon, district_code, police_unit, officers_dispatched, status, incident_id, emergency_category, emergency_severity) VALUES
('PI-20260615-GM-0425', 3, '2026-06-15T13:30:00+08:00', NULL, 'ASSISTANCE', NULL, 'Caller asks whether the school on Example Road will close (询问示例路学校是否停课).', NULL, '13600000000', NULL, NULL, NULL, '440311', NULL, NULL, 'PENDING', NULL, NULL, NULL);

INSERT INTO police_incidents (incident_no, row_version, received_at, updated_at, incident_type, incident_subtype, summary, caller_name, caller_phone, address, lat, lon, district_code, police_unit, officers_dispatched, status, incident_id, emergency_category, emergency_severity) VALUES
('PI-20260615-GM-0431', 4, '2026-06-15T13:40:00+08:00', NULL, 'ASSISTANCE', 'Residents ask for help to leave (群众求助撤离)', 'Residents of a dormitory next to the slide ask how to leave (宿舍居民求助撤离).', NULL, '13500000000', 'Dormitory, No. 3 Example Road (示例路3号宿舍)', 122.7675, 113.9290, '440311', NULL, NULL, 'RECEIVED', NULL, NULL, NULL);

INSERT INTO police_incidents (incident_no, row_version, received_at, updated_at, incident_type, incident_subtype, summary, caller_name, caller_phone, address, lat, lon, district_code, police_unit, officers_dispatched, status, incident_id, emergency_category, emergency_severity) VALUES
('PI-20260615-GM-0437', 5, '2026-06-15T13:47:00+08:00', NULL, 'PUBLIC_ORDER', 'Onlookers at the cordon (警戒线外围观)', 'Crowd gathering at the cordon on Example Road (示例路警戒线外人员聚集).', NULL, NULL, NULL, NULL, NULL, '440311', NULL, NULL, 'RECEIVED', NULL, NULL, NULL);

INSERT INTO police_incidents (incident_no, row_version, received_at, updated_at, incident_type, incident_subtype, summary, caller_name, caller_phone, address, lat, lon, district_code, police_unit, officers_dispatched, status, incident_id, emergency_category, emergency_severity) VALUES
('PI-20260615-GM-0440', 6, '2026-06-15T13:55:00+08:00', NULL, 'OTHER', NULL, 'Caller reports a strong smell of gas somewhere near the slide (报称滑坡附近有燃气味).', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'RECEIVED', NULL, NULL, NULL);
