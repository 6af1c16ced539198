package io.jeex.db.cli;

import picocli.CommandLine;

/** {@code --version}: the tool's version from its jar's manifest, and what it carries. */
final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = JeexDbCli.class.getPackage().getImplementationVersion();
        return new String[] {"jeex-db " + (version == null ? "(development build)" : version),
                "JEEX schema for PostgreSQL 18 or newer; embedded PostgreSQL 18 when JEEX_DB_URL is unset"};
    }
}
