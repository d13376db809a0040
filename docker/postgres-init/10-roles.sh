#!/bin/sh
# Runs once, when the PostgreSQL container starts on an empty data volume (the image runs every
# file in /docker-entrypoint-initdb.d as the superuser POSTGRES_USER). It creates two roles:
#
#   federation_owner  owns the database and everything migrations create; only `migrate` signs
#                     in with it (MIGRATE_DATABASE_URL).
#   federation_app    what gunicorn, the Celery worker and beat sign in with (DATABASE_URL): it
#                     reads and writes rows, but owns nothing, so it can neither change the schema
#                     nor disable the access log's triggers; apps/core/migrations/0003 leaves it
#                     only SELECT and INSERT on the access log.
#
# `manage.py check --deploy` reports an error if the application's role is a superuser or may
# change the access log. For a database created before this script existed, run it by hand
# (with the same variables) and then `migrate` as the owner.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v db="$POSTGRES_DB" \
    -v owner_password="$DB_OWNER_PASSWORD" \
    -v app_password="$DB_APP_PASSWORD" <<'SQL'
CREATE ROLE federation_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE federation_app LOGIN PASSWORD :'app_password';

-- The owner of the database also owns its public schema (PostgreSQL 15+), where migrations
-- create the tables; nobody else may create anything there.
ALTER DATABASE :"db" OWNER TO federation_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO federation_app;
GRANT USAGE ON SCHEMA public TO federation_app;

-- Tables and sequences the owner creates from now on: rows only, never TRUNCATE.
ALTER DEFAULT PRIVILEGES FOR ROLE federation_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO federation_app;
ALTER DEFAULT PRIVILEGES FOR ROLE federation_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO federation_app;
SQL
