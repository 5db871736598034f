-- The hub's application role on PostgreSQL: everything it needs, and on the audit tables
-- only INSERT and SELECT, so neither the hub nor anyone holding its credentials can edit,
-- delete or truncate audit rows, tree nodes, checkpoints or reviews.
--
-- Run as the database owner after `hub db upgrade` (migrations stay the owner's job), and
-- again after each upgrade that adds tables:
--     psql "$OWNER_URL" -v app_password="'...'" -f deploy/postgres/audit-append-only.sql
-- then point the gateway at the app role:
--     HUB_DATABASE_URL=postgresql://linkage_app:...@db/linkage

DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'linkage_app') THEN
    CREATE ROLE linkage_app LOGIN;
  END IF;
END $$;
ALTER ROLE linkage_app PASSWORD :app_password;

GRANT CONNECT ON DATABASE :"DBNAME" TO linkage_app;
GRANT USAGE ON SCHEMA public TO linkage_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO linkage_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO linkage_app;

-- The evidence: append and read, nothing else.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_tree, audit_checkpoints, audit_reviews
  FROM linkage_app;
-- Nor may it change the schema the evidence lives in.
REVOKE CREATE ON SCHEMA public FROM linkage_app;
