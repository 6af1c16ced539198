package io.jeex.db.benchmarks;

import java.util.List;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;

/** Which library a stack frame of a JFR event belongs to, by package. */
final class Owners {

    /** Package prefix and owner name, most specific first. */
    private static final List<String[]> PACKAGES = List.of(
            new String[] {"io.jeex.db.benchmarks.", "benchmark harness"},
            new String[] {"io.jeex.db.", "jeex-db"},
            new String[] {"com.zaxxer.hikari.", "HikariCP"},
            new String[] {"org.postgresql.", "pgjdbc"},
            new String[] {"org.jooq.", "jOOQ"},
            new String[] {"org.jdbi.", "jdbi"},
            new String[] {"org.springframework.", "Spring"},
            new String[] {"io.github.resilience4j.", "Resilience4j"},
            new String[] {"io.vavr.", "Resilience4j"},
            new String[] {"io.micrometer.", "Micrometer"},
            new String[] {"com.fasterxml.", "jackson / uuid"},
            new String[] {"org.openjdk.jmh.", "JMH"});

    static final String JDK = "JDK";

    private Owners() {
    }

    /** @return the owner of a frame's class, or {@link #JDK} */
    static String of(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        for (String[] p : PACKAGES) {
            if (type.startsWith(p[0])) {
                return p[1];
            }
        }
        return JDK;
    }

    /** @return the owner of the first library frame from the top of the stack, else {@link #JDK} */
    static String innermost(RecordedStackTrace stack) {
        if (stack == null) {
            return "no stack";
        }
        for (RecordedFrame f : stack.getFrames()) {
            String owner = of(f);
            if (!owner.equals(JDK)) {
                return owner;
            }
        }
        return JDK;
    }
}
