#!/bin/sh
# Writes the secret files deploy/compose.yaml reads (its top-level `secrets:`), into
# deploy/compose/secrets/ or the folder given as the first argument:
#
#     deploy/compose/make-secrets.sh [FOLDER]
#
# A file that exists is kept: PostgreSQL takes its password only when its volume is new,
# so making a new one for a running deployment would lock the hub out. Delete a file
# (and follow deploy/README.md on rotation) to replace it.
#
# The folder is 0700 and the files 0444: compose bind-mounts each file into containers
# that run as other users (the hub as uid 10001, PostgreSQL as postgres, Prometheus as
# nobody), so the file itself must be readable by them; the folder keeps other users of
# this machine out. The files are ignored by git (secrets/.gitignore) and kept out of the
# image's build context (.dockerignore).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
folder=${1:-"$here/secrets"}
umask 077
mkdir -p "$folder"
chmod 0700 "$folder"

random_hex() {
    # 32 random bytes as hex: safe inside a URL and an SQL literal without escaping.
    if command -v openssl >/dev/null 2>&1; then
        openssl rand -hex 32
    else
        python3 -c 'import secrets; print(secrets.token_hex(32))'
    fi
}

# write NAME VALUE: the file NAME, without a trailing newline, unless it exists.
write() {
    if [ -e "$folder/$1" ]; then
        echo "kept    $folder/$1"
        return
    fi
    printf '%s' "$2" >"$folder/$1"
    chmod 0444 "$folder/$1"
    echo "written $folder/$1"
}

write postgres_password "$(random_hex)"
write postgres_app_password "$(random_hex)"
# The hub's database URLs carry the passwords above: the owner's for init (migrations),
# the application role's for everything else (see db-grants.sh).
write database_owner_url \
    "postgresql://linkage:$(cat "$folder/postgres_password")@postgres:5432/linkage"
write database_url \
    "postgresql://linkage_app:$(cat "$folder/postgres_app_password")@postgres:5432/linkage"
# The bearer token Prometheus sends to the gateways' /metrics (HUB_TELEMETRY_METRICS_TOKEN).
write metrics_token "$(random_hex)"
# What department systems sign their webhook deliveries with (HUB_CONNECT_WEBHOOK_SECRET).
write webhook_secret "$(random_hex)"
