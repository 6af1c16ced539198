#!/usr/bin/env bash
# jeex-db: a verified, optionally encrypted base backup with pg_basebackup, and retention.
#
# Run by the compose service `backup` (docker compose --profile backup run --rm backup), or on
# any host with PostgreSQL's client tools of the server's major version, age and sha256sum.
#   1. pg_basebackup (plain format, WAL streamed into the backup, SHA-256 backup manifest);
#   2. pg_verifybackup checks every file against that manifest;
#   3. the data directory is packed into base.tar, encrypted with age for the recipients in
#      $JEEX_BACKUP_RECIPIENTS_FILE when that file is not empty (base.tar.age);
#   4. SHA256SUMS over what is kept, checked right away (sha256sum -c);
#   5. keep the newest $JEEX_BACKUP_KEEP backups, remove older ones, and remove from the WAL
#      archive what only they needed (pg_archivecleanup, up to the oldest kept backup's start).
# Settings (environment): PGHOST, PGPORT, PGUSER (a superuser or a role with REPLICATION),
# PGPASSWORD_FILE (a file holding its password), JEEX_BACKUP_DIR (default /backups),
# JEEX_WAL_ARCHIVE (default /var/lib/postgresql/wal-archive), JEEX_BACKUP_KEEP (default 7),
# JEEX_BACKUP_RECIPIENTS_FILE (age public keys; empty or unset: not encrypted).
# Tested by jeex-db-it's ComposeBackupTest with Debian's PostgreSQL 15 tools (no Docker here).
set -euo pipefail

BACKUPS="${JEEX_BACKUP_DIR:-/backups}"
ARCHIVE="${JEEX_WAL_ARCHIVE:-/var/lib/postgresql/wal-archive}"
KEEP="${JEEX_BACKUP_KEEP:-7}"
RECIPIENTS="${JEEX_BACKUP_RECIPIENTS_FILE:-}"

if [ -n "${PGPASSWORD_FILE:-}" ]; then
    PGPASSWORD="$(cat "$PGPASSWORD_FILE")"
    export PGPASSWORD
fi
case "$KEEP" in
    '' | *[!0-9]* | 0) echo "jeex-backup: JEEX_BACKUP_KEEP must be a whole number of at least 1, but was '$KEEP'" >&2; exit 2 ;;
esac

id="$(date -u +%Y%m%dT%H%M%SZ)"
work="$BACKUPS/$id.partial"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

pg_basebackup --pgdata="$work/data" --format=plain --wal-method=stream --checkpoint=fast \
    --manifest-checksums=SHA256 --label="jeex-db backup $id" --no-password
pg_verifybackup --quiet "$work/data"
# The first WAL file the backup needs: what retention keeps in the archive for it.
sed -n 's/^START WAL LOCATION: .* (file \([0-9A-F]\{24\}\))$/\1/p' "$work/data/backup_label" > "$work/start_wal"
test -s "$work/start_wal"

if [ -n "$RECIPIENTS" ] && [ -s "$RECIPIENTS" ]; then
    tar -C "$work/data" -cf - . | age --encrypt --recipients-file "$RECIPIENTS" --output "$work/base.tar.age"
else
    tar -C "$work/data" -cf "$work/base.tar" .
fi
rm -rf "$work/data"
(cd "$work" && sha256sum base.tar* start_wal > SHA256SUMS && sha256sum --check --quiet SHA256SUMS)
mv "$work" "$BACKUPS/$id"
trap - EXIT
echo "jeex-backup: $BACKUPS/$id ($(du -sh "$BACKUPS/$id" | cut -f1)), verified"

mapfile -t all < <(find "$BACKUPS" -mindepth 1 -maxdepth 1 -type d -name '*Z' | sort)
remove=$(( ${#all[@]} > KEEP ? ${#all[@]} - KEEP : 0 ))
for old in "${all[@]:0:$remove}"; do
    rm -rf "$old"
    echo "jeex-backup: removed $old (keeping the newest $KEEP)"
done
oldest="${all[$remove]}"
if [ -d "$ARCHIVE" ]; then
    pg_archivecleanup "$ARCHIVE" "$(cat "$oldest/start_wal")"
    echo "jeex-backup: WAL archive cleaned up to $(cat "$oldest/start_wal") (the oldest kept backup's start)"
fi
