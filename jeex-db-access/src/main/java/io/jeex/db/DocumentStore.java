package io.jeex.db;

import static io.jeex.db.RetryPolicy.Mode.LIBRARY_READ;
import static io.jeex.db.RetryPolicy.Mode.LIBRARY_WRITE;
import static io.jeex.db.codegen.Tables.DOCUMENT_VERSIONS;
import static java.util.Objects.requireNonNull;

import io.jeex.db.codegen.tables.records.DocumentVersionsRecord;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.repository.DocumentRepository;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.DocumentVersionInfo;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Page;
import io.jeex.db.tx.IsolationLevel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/** The implementation of {@link DocumentRepository}. */
final class DocumentStore implements DocumentRepository {

    private static final String TABLE = "document_versions";
    private final Transactions engine;

    private final Scope scope;

    DocumentStore(Transactions engine, Scope scope) {
        this.engine = requireNonNull(engine, "engine");
        this.scope = requireNonNull(scope, "scope");
    }

    @Override
    public DocumentVersion append(UUID projectId, String documentType, String content, Json metadata, UUID authorId) {
        UUID project = Check.id(TABLE, "project_id", projectId);
        String type = Check.documentType(documentType);
        String text = Check.content(content);
        Json meta = Check.json(TABLE, "metadata", metadata, false);
        UUID id = Ids.next();
        String lock = project + "/" + type;
        return engine.run(scope.apply(Tx.many("documents.append")), LIBRARY_WRITE, tx -> {
            var dsl = tx.dsl();
            boolean snapshot = tx.options().isolation() != IsolationLevel.READ_COMMITTED;
            if (!snapshot) {
                // READ COMMITTED: the INSERT below takes a new snapshot, after the lock was granted
                dsl.execute("select pg_advisory_xact_lock(hashtextextended({0}, 0))", DSL.val(lock));
            } else if (!dsl.fetchValue("select pg_try_advisory_xact_lock(hashtextextended({0}, 0))",
                    DSL.val(lock)).equals(Boolean.TRUE)) {
                // REPEATABLE READ / SERIALIZABLE: a snapshot taken while another append holds the
                // lock would not see its version. Run the whole call again once the lock is free.
                throw Transactions.restart(tx, "another append to the same document held its lock", lock);
            }
            if (tx.attempt() > 1) {
                // an earlier attempt's connection was lost, perhaps after it committed
                var stored = dsl.selectFrom(DOCUMENT_VERSIONS).where(DOCUMENT_VERSIONS.ID.eq(id)).fetchOptional();
                if (stored.isPresent()) {
                    return map(stored.get());
                }
            }
            var next = DSL.select(DSL.coalesce(DSL.max(DOCUMENT_VERSIONS.VERSION), 0).plus(1))
                    .from(DOCUMENT_VERSIONS)
                    .where(DOCUMENT_VERSIONS.PROJECT_ID.eq(project)).and(DOCUMENT_VERSIONS.DOCUMENT_TYPE.eq(type));
            try {
                return map(dsl.insertInto(DOCUMENT_VERSIONS).set(DOCUMENT_VERSIONS.ID, id)
                        .set(DOCUMENT_VERSIONS.PROJECT_ID, project).set(DOCUMENT_VERSIONS.DOCUMENT_TYPE, type)
                        .set(DOCUMENT_VERSIONS.VERSION, DSL.field(next))
                        .set(DOCUMENT_VERSIONS.CONTENT, text).set(DOCUMENT_VERSIONS.METADATA, JsonColumns.jsonb(meta))
                        .set(DOCUMENT_VERSIONS.CREATED_BY, authorId)
                        .returning().fetchOne());
            } catch (DataAccessException e) {
                // The transaction's snapshot predates an append it could not see: the number is
                // taken (23505), or SERIALIZABLE reports the same as a serialization failure.
                if (snapshot && (VERSION_KEY.equals(constraint(e)) || "40001".equals(e.sqlState()))) {
                    throw Transactions.restart(tx, "the transaction's snapshot predates an append to the same "
                            + "document", lock);
                }
                throw e;
            }
        });
    }

    private static final String VERSION_KEY = "document_versions_project_type_version_key";

    private static String constraint(DataAccessException e) {
        org.postgresql.util.PSQLException p = e.getCause(org.postgresql.util.PSQLException.class);
        return p == null || p.getServerErrorMessage() == null ? null : p.getServerErrorMessage().getConstraint();
    }

    @Override
    public Optional<DocumentVersion> latest(UUID projectId, String documentType) {
        UUID project = Check.id(TABLE, "project_id", projectId);
        String type = Check.documentType(documentType);
        return engine.run(scope.apply(Tx.read("documents.latest")), LIBRARY_READ, tx -> tx.dsl().selectFrom(DOCUMENT_VERSIONS)
                .where(DOCUMENT_VERSIONS.PROJECT_ID.eq(project)).and(DOCUMENT_VERSIONS.DOCUMENT_TYPE.eq(type))
                .orderBy(DOCUMENT_VERSIONS.VERSION.desc()).limit(1).fetchOptional().map(DocumentStore::map));
    }

    @Override
    public Optional<DocumentVersion> byNumber(UUID projectId, String documentType, int version) {
        UUID project = Check.id(TABLE, "project_id", projectId);
        String type = Check.documentType(documentType);
        if (version < 1) {
            throw new InvalidInputException(TABLE, "version", "must be 1 or more");
        }
        return engine.run(scope.apply(Tx.read("documents.byNumber")), LIBRARY_READ, tx -> tx.dsl().selectFrom(DOCUMENT_VERSIONS)
                .where(DOCUMENT_VERSIONS.PROJECT_ID.eq(project)).and(DOCUMENT_VERSIONS.DOCUMENT_TYPE.eq(type))
                .and(DOCUMENT_VERSIONS.VERSION.eq(version)).fetchOptional().map(DocumentStore::map));
    }

    @Override
    public Page<DocumentVersionInfo> history(UUID projectId, String documentType, int limit, Optional<String> cursor) {
        UUID project = Check.id(TABLE, "project_id", projectId);
        String type = Check.documentType(documentType);
        int size = Check.limit(TABLE, limit);
        Optional<Integer> beforeVersion = Check.notNull(TABLE, "cursor", cursor,
                "must not be null: pass Optional.empty() for the first page").map(DocumentStore::decode);
        return engine.run(scope.apply(Tx.read("documents.history")), LIBRARY_READ, tx -> {
            Condition where = DOCUMENT_VERSIONS.PROJECT_ID.eq(project).and(DOCUMENT_VERSIONS.DOCUMENT_TYPE.eq(type));
            if (beforeVersion.isPresent()) {
                where = where.and(DOCUMENT_VERSIONS.VERSION.lt(beforeVersion.get()));
            }
            List<DocumentVersionInfo> rows = new ArrayList<>(tx.dsl()
                    .select(DOCUMENT_VERSIONS.ID, DOCUMENT_VERSIONS.VERSION, DSL.length(DOCUMENT_VERSIONS.CONTENT),
                            DOCUMENT_VERSIONS.METADATA, DOCUMENT_VERSIONS.CREATED_BY, DOCUMENT_VERSIONS.CREATED_AT)
                    .from(DOCUMENT_VERSIONS).where(where).orderBy(DOCUMENT_VERSIONS.VERSION.desc()).limit(size + 1)
                    .fetch(r -> new DocumentVersionInfo(r.value1(), r.value2(), r.value3(), JsonColumns.fromJsonb(r.value4()),
                            Optional.ofNullable(r.value5()), r.value6())));
            Optional<String> next = Optional.empty();
            if (rows.size() > size) {
                rows.remove(size);
                next = Optional.of(Integer.toString(rows.get(size - 1).version()));
            }
            return new Page<>(rows, next);
        });
    }

    private static int decode(String cursor) {
        try {
            int version = Integer.parseInt(cursor);
            if (version > 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new InvalidInputException(TABLE, "cursor", "must be a cursor returned by a previous page");
    }

    static DocumentVersion map(DocumentVersionsRecord r) {
        return new DocumentVersion(r.getId(), r.getProjectId(), r.getDocumentType(), r.getVersion(), r.getContent(),
                JsonColumns.fromJsonb(r.getMetadata()), Optional.ofNullable(r.getCreatedBy()), r.getCreatedAt());
    }
}
