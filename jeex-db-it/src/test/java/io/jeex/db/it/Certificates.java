package io.jeex.db.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test CA and a server certificate signed by it (for {@code localhost} and {@code 127.0.0.1}),
 * made with the {@code openssl} command line tool, which every machine with PostgreSQL tooling
 * has (and .ci/run installs): no crypto library in the test class path.
 */
final class Certificates {

    final Path caCert;
    final Path serverCert;
    final Path serverKey;

    private Certificates(Path caCert, Path serverCert, Path serverKey) {
        this.caCert = caCert;
        this.serverCert = serverCert;
        this.serverKey = serverKey;
    }

    /** Makes a CA (its certificate {@code <name>-ca.pem}) and a server certificate and key signed by it. */
    static Certificates create(Path dir, String name) {
        Path caKey = dir.resolve(name + "-ca.key");
        Path ca = dir.resolve(name + "-ca.pem");
        Path key = dir.resolve(name + "-server.key");
        Path csr = dir.resolve(name + "-server.csr");
        Path cert = dir.resolve(name + "-server.crt");
        Path ext = dir.resolve(name + "-server.ext");
        try {
            Files.writeString(ext, "subjectAltName = DNS:localhost, IP:127.0.0.1\nbasicConstraints = CA:FALSE\n"
                    + "keyUsage = digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=jeex-db test CA " + name);
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=localhost");
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
        return new Certificates(ca, cert, key);
    }

    private static void openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Path log = dir.resolve("openssl.log");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("openssl " + args[0] + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                fail("openssl " + String.join(" ", args) + " failed:\n" + Files.readString(log));
            }
        } catch (IOException e) {
            fail("the openssl command line tool is needed to make test certificates: apt-get install -y openssl ("
                    + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }
}
