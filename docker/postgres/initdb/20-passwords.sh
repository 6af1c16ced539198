#!/usr/bin/env bash
# Sets the jeex roles' passwords from Docker secrets (files), never from the compose file.
# The postgres image's entrypoint runs this once, after 10-roles.sql, as the postgres user.
set -euo pipefail

set_password() {
    local role="$1" file="$2"
    if [ -z "$file" ] || [ ! -r "$file" ]; then
        echo "jeex-db init: no readable password file for $role (set ${role^^}_PASSWORD_FILE); $role cannot log in" >&2
        return 0
    fi
    # The password travels as a psql variable and is quoted by psql (:'pw'), never spliced into SQL;
    # password_encryption = scram-sha-256 stores only its SCRAM secret.
    psql -v ON_ERROR_STOP=1 --no-psqlrc -q -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
        -v role="$role" -v pw="$(tr -d '\r\n' < "$file")" <<'SQL'
ALTER ROLE :"role" PASSWORD :'pw';
SQL
}

set_password jeex_owner "${JEEX_OWNER_PASSWORD_FILE:-}"
set_password jeex_user "${JEEX_USER_PASSWORD_FILE:-}"

# PgBouncer's auth file: the application role's SCRAM secret exactly as PostgreSQL stores it
# (same salt and iterations), so that PgBouncer can verify the client and then log in to the
# server with the client's SCRAM keys (pass-through). No clear-text password in it.
if [ -n "${JEEX_PGBOUNCER_USERLIST:-}" ]; then
    mkdir -p "$(dirname "$JEEX_PGBOUNCER_USERLIST")"
    psql -v ON_ERROR_STOP=1 --no-psqlrc -qAt -U "$POSTGRES_USER" -d "$POSTGRES_DB" <<'SQL' > "$JEEX_PGBOUNCER_USERLIST"
SELECT '"' || rolname || '" "' || rolpassword || '"'
  FROM pg_authid
 WHERE rolname = 'jeex_user' AND rolpassword LIKE 'SCRAM-SHA-256$%';
SQL
    # readable by the pgbouncer container (another uid); it holds no password, only its SCRAM verifier
    chmod 0644 "$JEEX_PGBOUNCER_USERLIST"
fi

# The WAL archive of postgresql.conf's archive_command lives on the data volume.
mkdir -p /var/lib/postgresql/wal-archive
