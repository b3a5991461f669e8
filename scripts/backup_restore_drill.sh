#!/usr/bin/env bash
# Backup and restore drill for PostgreSQL.
#
# Dumps the database at SOURCE (default: $DATABASE_URL) with pg_dump, restores the dump
# into a fresh database with pg_restore, and checks the copy: the same number of rows in
# the content tables, and an intact page tree (Wagtail's `fixtree` finds no problems).
# The fresh database is dropped afterwards unless KEEP_RESTORED=1.
#
#   scripts/backup_restore_drill.sh [postgres://user@host:5432/fss]
#
# Exit status 0 means the backup can be restored; anything else is a failed drill.
set -euo pipefail
cd "$(dirname "$0")/.."

SOURCE="${1:-${DATABASE_URL:-}}"
case "$SOURCE" in
    postgres://*|postgresql://*) ;;
    *) echo "Ange en PostgreSQL-adress (postgres://…) som argument eller i DATABASE_URL." >&2; exit 2 ;;
esac
PYTHON="${PYTHON:-.venv/bin/python}"
BASE="${SOURCE%/*}"
SOURCE_DB="${SOURCE##*/}"
TARGET_DB="${SOURCE_DB}_restore_$$"
TARGET="${BASE}/${TARGET_DB}"
ADMIN="${BASE}/postgres"
DUMP="$(mktemp -t fss-backup-XXXXXX.dump)"

cleanup() {
    rm -f "$DUMP"
    if [ "${KEEP_RESTORED:-0}" != "1" ]; then
        psql "$ADMIN" -qc "DROP DATABASE IF EXISTS \"${TARGET_DB}\"" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

echo "Säkerhetskopierar ${SOURCE_DB}"
pg_dump --format=custom --no-owner --no-privileges --file "$DUMP" "$SOURCE"

echo "Återläser till ${TARGET_DB}"
psql "$ADMIN" -qc "CREATE DATABASE \"${TARGET_DB}\"" >/dev/null
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$TARGET" "$DUMP"

TABLES="wagtailcore_page wagtailcore_revision wagtailcore_site blog_blogpage blog_blogpageauthor people_personpage events_eventpage fss_site_topic auth_user auth_group"
failed=0
for table in $TABLES; do
    before=$(psql "$SOURCE" -tAc "SELECT count(*) FROM ${table}")
    after=$(psql "$TARGET" -tAc "SELECT count(*) FROM ${table}")
    if [ "$before" != "$after" ]; then
        echo "FEL: ${table} har ${before} rader i originalet men ${after} i kopian"
        failed=1
    else
        echo "${table}: ${after} rader"
    fi
done

tree_report=$(DATABASE_URL="$TARGET" DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-fss_site.settings.dev}" \
    "$PYTHON" manage.py fixtree --noinput 2>&1)
echo "$tree_report"
if ! grep -q "No problems found" <<<"$tree_report"; then
    echo "FEL: sidträdet i kopian är inte intakt"
    failed=1
fi

if [ "$failed" -ne 0 ]; then
    echo "Återläsningen misslyckades."
    exit 1
fi
echo "Återläsningen stämmer."
