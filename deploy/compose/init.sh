#!/bin/sh
# The one-shot `init` service of deploy/compose.yaml: everything that must happen once,
# before any gateway, archiver or connector starts. Each step is idempotent, so init runs
# again on every `docker compose up` and changes nothing the second time.
set -eu

# The tables, as the database owner (HUB_DATABASE_URL here is the owner's URL; the
# db-grants service then gives the application role what it may do).
hub db upgrade

# Keys every gateway replica must share, in the keys volume: the token signing key (and
# the paging-cursor key made with it), the audit checkpoint key, and the hash mask's
# per-grant keys. `hub token keygen` and `hub audit keygen` refuse to replace a key, so
# they run only while it is missing; `hub policy keygen` makes only the missing ones.
if [ ! -f "$HUB_AUTH_KEY_DIR/signing-key.jwk.json" ]; then
    hub token keygen
fi
if [ ! -f "$HUB_AUDIT_KEY_DIR/checkpoint-key.pem" ]; then
    hub audit keygen
fi
hub policy keygen

# Registers every stream's schema and creates its topics (replication and min ISR from
# HUB_KAFKA_REPLICATION_FACTOR and HUB_KAFKA_MIN_INSYNC_REPLICAS; the brokers refuse to
# create topics by themselves), then refills topics that lost records from the archive
# (a Kafka whose volumes were lost, a PostgreSQL that was kept). Here, before anything
# publishes, is the one moment a refill is safe; the archiver runs with --no-replay.
hub archive replay
