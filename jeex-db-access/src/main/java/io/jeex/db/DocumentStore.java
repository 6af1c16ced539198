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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.postgresql.util.PSQLException;

/** The implementation of {@link DocumentRepository}. */
final class DocumentStore implements DocumentRepository {

    private static final String TABLE = "document_versions";
    /** The advisory lock of one document, until the transaction ends (READ COMMITTED). */
    private static final Prepared<Boolean> LOCK = Prepared.of(DSL.select(DSL.field(
            "pg_advisory_xact_lock(hashtextextended({0}, 0))", Object.class, DSL.param("lock", SQLDataType.VARCHAR))),
            row -> Boolean.TRUE);
    /** The same lock if it is free (REPEATABLE READ, SERIALIZABLE). */
    private static final Prepared<Boolean> TRY_LOCK = Prepared.of(DSL.select(DSL.field(
            "pg_try_advisory_xact_lock(hashtextextended({0}, 0))", Boolean.class, DSL.param("lock", SQLDataType.VARCHAR))),
            row -> row.getBoolean(1));
    /** The next version of one document. Bind order: id, project, type, project, type, content, metadata, author. */
    private static final Prepared<DocumentVersion> INSERT = Prepared.of(DSL.insertInto(DOCUMENT_VERSIONS)
            .set(DOCUMENT_VERSIONS.ID, DSL.param("id", DOCUMENT_VERSIONS.ID.getDataType()))
            .set(DOCUMENT_VERSIONS.PROJECT_ID, DSL.param("project", DOCUMENT_VERSIONS.PROJECT_ID.getDataType()))
            .set(DOCUMENT_VERSIONS.DOCUMENT_TYPE, DSL.param("type", DOCUMENT_VERSIONS.DOCUMENT_TYPE.getDataType()))
            .set(DOCUMENT_VERSIONS.VERSION, DSL.field(DSL.select(DSL.coalesce(DSL.max(DOCUMENT_VERSIONS.VERSION),
                    DSL.inline(0)).plus(DSL.inline(1))).from(DOCUMENT_VERSIONS)
                    .where(DOCUMENT_VERSIONS.PROJECT_ID.eq(DSL.param("project", DOCUMENT_VERSIONS.PROJECT_ID.getDataType())))
                    .and(DOCUMENT_VERSIONS.DOCUMENT_TYPE.eq(
                            DSL.param("type", DOCUMENT_VERSIONS.DOCUMENT_TYPE.getDataType())))))
            .set(DOCUMENT_VERSIONS.CONTENT, DSL.param("content", DOCUMENT_VERSIONS.CONTENT.getDataType()))
            .set(DOCUMENT_VERSIONS.METADATA, DSL.param("metadata", DOCUMENT_VERSIONS.METADATA.getDataType()))
            .set(DOCUMENT_VERSIONS.CREATED_BY, DSL.param("author", DOCUMENT_VERSIONS.CREATED_BY.getDataType()))
            .returning(), DocumentStore::map);
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
            boolean snapshot = tx.options().isolation() != IsolationLevel.READ_COMMITTED;
            if (!snapshot) {
                // READ COMMITTED: the INSERT below takes a new snapshot, after the lock was granted
                LOCK.one(tx, ps -> ps.setString(1, lock));
            } else if (!TRY_LOCK.one(tx, ps -> ps.setString(1, lock))) {
                // REPEATABLE READ / SERIALIZABLE: a snapshot taken while another append holds the
                // lock would not see its version. Run the whole call again once the lock is free.
                throw Transactions.restart(tx, "another append to the same document held its lock", lock);
            }
            if (tx.attempt() > 1) {
                // an earlier attempt's connection was lost, perhaps after it committed
                var stored = tx.dsl().selectFrom(DOCUMENT_VERSIONS).where(DOCUMENT_VERSIONS.ID.eq(id)).fetchOptional();
                if (stored.isPresent()) {
                    return map(stored.get());
                }
            }
            try {
                return INSERT.one(tx, ps -> {
                    ps.setObject(1, id);
                    ps.setObject(2, project);
                    ps.setString(3, type);
                    ps.setObject(4, project);
                    ps.setString(5, type);
                    ps.setString(6, text);
                    ps.setString(7, meta.text());
                    ps.setObject(8, authorId);
                });
            } catch (SQLException e) {
                // The transaction's snapshot predates an append it could not see: the number is
                // taken (23505), or SERIALIZABLE reports the same as a serialization failure.
                if (snapshot && (VERSION_KEY.equals(constraint(e)) || "40001".equals(e.getSQLState()))) {
                    throw Transactions.restart(tx, "the transaction's snapshot predates an append to the same "
                            + "document", lock);
                }
                throw e;
            }
        });
    }

    private static final String VERSION_KEY = "document_versions_project_type_version_key";

    private static String constraint(SQLException e) {
        return e instanceof PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getConstraint() : null;
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

    static DocumentVersion map(ResultSet row) throws SQLException {
        return new DocumentVersion(Prepared.uuid(row, "id"), Prepared.uuid(row, "project_id"),
                row.getString("document_type"), row.getInt("version"), row.getString("content"),
                JsonColumns.fromDb(row.getString("metadata")), Optional.ofNullable(Prepared.uuid(row, "created_by")),
                Prepared.instant(row, "created_at"));
    }

    /** @return the SQL of append's statements, for tests */
    static List<String> appendSql() {
        return List.of(LOCK.toString(), TRY_LOCK.toString(), INSERT.toString());
    }

    static DocumentVersion map(DocumentVersionsRecord r) {
        return new DocumentVersion(r.getId(), r.getProjectId(), r.getDocumentType(), r.getVersion(), r.getContent(),
                JsonColumns.fromJsonb(r.getMetadata()), Optional.ofNullable(r.getCreatedBy()), r.getCreatedAt());
    }
}
