package io.jeex.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.JeexDatabase;
import io.jeex.db.error.TransactionWorkException;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TxOptions;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@JeexDbTest
class NestedAuditTest {

    @Test
    void nestedStrongerIsolationIsRefusedAsDocumented(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            Throwable t = catchThrowable(() -> db.transaction(tx ->
                    db.transaction(TxOptions.named("inner").withIsolation(IsolationLevel.SERIALIZABLE), tx2 -> 1)));
            assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageContaining("SERIALIZABLE");
            Integer ok = db.transaction(TxOptions.named("outer").withIsolation(IsolationLevel.SERIALIZABLE),
                    tx -> db.transaction(tx2 -> 2));
            assertThat(ok).isEqualTo(2);
        }
    }

    @Test
    void txOptionsValidationNamesTheRule() {
        Throwable t = catchThrowable(() -> TxOptions.named("user ada@example.com"));
        assertThat(t).isInstanceOf(IllegalArgumentException.class);
        // the rule and where the name breaks it; a name built from user data (which the javadoc
        // forbids) shows none of that data in the message
        assertThat(t.getMessage()).contains("name must be 1 to 64 letters").contains("character 5")
                .doesNotContain("ada").doesNotContain("example.com");
        Throwable s = catchThrowable(() -> TxOptions.named("x").asSystem().withActingUser(UUID.randomUUID()));
        assertThat(s).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void workExceptionMessageSaysWhatHappened(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Throwable t = catchThrowable(() -> db.transaction(TxOptions.named("call_http").withActingUser(ada.id()), tx -> {
                throw new java.io.IOException("remote said no");
            }));
            assertThat(t).isInstanceOf(TransactionWorkException.class);
            assertThat(((TransactionWorkException) t).attempts()).isEqualTo(1);
        }
    }
}
