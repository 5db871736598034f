#!/bin/sh
# The one-shot `db-grants` service of deploy/compose.yaml, after init has migrated the
# database: the application role linkage_app gets everything it needs and, on the audit
# tables, only INSERT and SELECT (deploy/postgres/audit-append-only.sql). Gateways,
# archiver and connectors connect as linkage_app, so no hub process, and nobody holding
# its password, can rewrite the audit log. Runs on every `up`, so tables added by an
# upgrade are granted too.
set -eu

PGPASSWORD=$(cat /run/secrets/postgres_password)
export PGPASSWORD
app_password=$(cat /run/secrets/postgres_app_password)

# The password is hex (make-secrets.sh), so quoting it as an SQL literal is safe.
exec psql --host=postgres --username=linkage --dbname=linkage \
    --set=ON_ERROR_STOP=1 --set=app_password="'$app_password'" \
    --file=/etc/linkage/audit-append-only.sql
