#!/bin/sh
# One-shot (temporalio/admin-tools): creates Temporal's two Postgres databases and brings their
# schemas up to date. Safe to run again: existing databases are kept and update-schema only
# applies versions the database does not have yet.
# Connection settings come from SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and SQL_PASSWORD.
set -eu

SCHEMA_ROOT=${TEMPORAL_SCHEMA_ROOT:-/etc/temporal/schema/postgresql/v12}

create_database() {
  if output=$(temporal-sql-tool --db "$1" create-database 2>&1); then
    echo "created database $1"
  elif echo "$output" | grep -q 'already exists'; then
    echo "database $1 already exists"
  else
    echo "$output" >&2
    exit 1
  fi
}

setup_database() {
  create_database "$1"
  temporal-sql-tool --db "$1" setup-schema -v 0.0
  temporal-sql-tool --db "$1" update-schema -d "$SCHEMA_ROOT/$2/versioned"
}

setup_database temporal temporal
setup_database temporal_visibility visibility
echo 'Temporal schema is up to date'
