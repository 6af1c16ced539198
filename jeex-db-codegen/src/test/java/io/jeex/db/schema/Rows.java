package io.jeex.db.schema;

import static io.jeex.db.codegen.Tables.PROJECTS;
import static io.jeex.db.codegen.Tables.USERS;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;

/** Inserts valid rows for constraint tests. */
final class Rows {

    private static final AtomicInteger SEQ = new AtomicInteger();

    private Rows() {
    }

    static UUID user(DSLContext dsl) {
        int n = SEQ.incrementAndGet();
        return dsl.insertInto(USERS)
                .set(USERS.EMAIL, "user" + n + "@example.com")
                .set(USERS.NAME, "User " + n)
                .returning(USERS.ID).fetchOne(USERS.ID);
    }

    static UUID project(DSLContext dsl, UUID owner) {
        return dsl.insertInto(PROJECTS)
                .set(PROJECTS.NAME, "Project")
                .set(PROJECTS.CREATED_BY, owner)
                .returning(PROJECTS.ID).fetchOne(PROJECTS.ID);
    }
}
