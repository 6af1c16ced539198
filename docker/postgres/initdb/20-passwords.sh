#!/usr/bin/env bash
# Sets the jeex roles' passwords from Docker secrets (files), never from the compose file.
# The postgres image's entrypoint runs this once, after 10-roles.sql, as the postgres user.
#
# Environment: POSTGRES_USER, POSTGRES_DB (the image's); JEEX_OWNER_PASSWORD_FILE,
# JEEX_USER_PASSWORD_FILE (the secrets); JEEX_PGBOUNCER_USERLIST (where PgBouncer's auth file
# goes; none written when unset); JEEX_WAL_ARCHIVE (archive_command's directory of
# postgresql.conf, default /var/lib/postgresql/wal-archive). psql reaches the server through the
# usual PGHOST/PGPORT (the image's init server: its Unix socket).
set -euo pipefail

# The password exactly as the library reads a *_FILE (JeexDbConfig): the file's content with ONE
# trailing line break (\n or \r\n) removed, nothing else. Both sides must agree, or the server
# and the service end up with different passwords.
read_password() {
    local content
    # command substitution drops every trailing newline: guard the content with a final "x"
    content="$(cat -- "$1"; printf x)"
    content="${content%x}"
    case "$content" in
        *$'\r\n') content="${content%$'\r\n'}" ;;
        *$'\n') content="${content%$'\n'}" ;;
    esac
    printf '%s' "$content"
}

set_password() {
    local role="$1" file="$2" password
    if [ -z "$file" ] || [ ! -r "$file" ]; then
        echo "jeex-db init: no readable password file for $role (set ${role^^}_PASSWORD_FILE); $role cannot log in" >&2
        return 0
    fi
    password="$(read_password "$file"; printf x)"
    password="${password%x}"
    if [ -z "$password" ]; then
        echo "jeex-db init: the password file of $role ($file) is empty: write a password into it" >&2
        return 1
    fi
    # The password reaches psql in its environment (readable only by this user, unlike the command
    # line, which `ps` shows to everyone) and is quoted by psql (:'pw'), never spliced into SQL;
    # password_encryption = scram-sha-256 stores only its SCRAM secret.
    #
    # The ALTER ROLE text carries the password in clear, and postgresql.conf logs DDL
    # (log_statement = 'ddl'): this session turns off every way the statement could reach the
    # server log or the statistics before sending it - statement logging, slow-statement logging,
    # the statement of a failing command (log_min_error_statement), and pg_stat_statements'
    # tracking of utility commands (it keeps their text, literals included). All are superuser
    # settings, for this session only. (Computing the SCRAM verifier here instead would keep the
    # password off the wire too, but needs PBKDF2 in the shell; psql's \password does it only
    # interactively.)
    JEEX_INIT_PASSWORD="$password" psql -v ON_ERROR_STOP=1 --no-psqlrc -q -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
        -v role="$role" <<'SQL'
SET log_statement = 'none';
SET log_min_duration_statement = -1;
SET log_min_error_statement = 'panic';
SET pg_stat_statements.track_utility = off;
\getenv pw JEEX_INIT_PASSWORD
ALTER ROLE :"role" PASSWORD :'pw';
SQL
}

set_password jeex_owner "${JEEX_OWNER_PASSWORD_FILE:-}"
set_password jeex_user "${JEEX_USER_PASSWORD_FILE:-}"

# PgBouncer's auth file: the application role's SCRAM secret exactly as PostgreSQL stores it
# (same salt and iterations), so that PgBouncer can verify the client and then log in to the
# server with the client's SCRAM keys (pass-through). No clear-text password in it.
# Its directory is a volume shared with the pgbouncer container; compose.yaml's entrypoint hands
# it to the postgres user before this script runs.
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
mkdir -p "${JEEX_WAL_ARCHIVE:-/var/lib/postgresql/wal-archive}"
