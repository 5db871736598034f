#!/bin/sh
# The entrypoint of every hub container in deploy/compose.yaml: turn secret files into
# the environment variables the hub reads, then run the command.
#
# Compose hands each secret to a container as a file, /run/secrets/<target>. The hub
# takes its settings from HUB_* variables (and hub.toml) only: pydantic-settings could
# read files through a secrets_dir, which hub/config.py does not configure. So a secret
# whose target is named after a setting (target: HUB_DATABASE_URL) is exported here under
# that name, for this process and what it execs. The value is never in compose.yaml,
# `docker inspect` or the image; only the process environment holds it.
set -eu

# LINKAGE_SECRETS_DIR only for the tests (tests/unit/deploy), which run this script.
secrets_dir=${LINKAGE_SECRETS_DIR:-/run/secrets}
for file in "$secrets_dir"/HUB_*; do
    [ -f "$file" ] || continue  # the pattern matched nothing: no HUB_ secrets here
    name=${file##*/}
    value=$(cat "$file")
    export "$name=$value"
done

exec "$@"
