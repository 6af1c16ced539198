package io.jeex.db.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Encryption of backups with age (https://age-encryption.org, Debian's package {@code age}): a
 * maintained tool with a small, reviewed format (X25519 recipients, ChaCha20-Poly1305 in 64 KiB
 * chunks: authenticated, streaming, a damaged or altered file fails to decrypt). The key is a file:
 * an identity made by {@code age-keygen -o key.txt} (encrypts and decrypts), or for backups only a
 * recipients file holding its public key ({@code age-keygen -y key.txt > key.pub}), so that the host
 * that takes backups cannot read them. The key's content never appears in a message or a log line.
 */
final class Age {

    /** The line prefix of an age identity (private key). */
    private static final String IDENTITY_PREFIX = "AGE-SECRET-KEY-1";

    private Age() {
    }

    /**
     * @param keyFile the key file
     * @return whether it holds an identity (private key), and so can decrypt
     * @throws IllegalArgumentException if it cannot be read
     */
    static boolean isIdentity(Path keyFile) {
        try {
            return Files.readAllLines(keyFile, StandardCharsets.UTF_8).stream()
                    .anyMatch(l -> l.strip().startsWith(IDENTITY_PREFIX));
        } catch (IOException e) {
            throw new IllegalArgumentException("--key-file must be a readable age key file (age-keygen -o FILE), but "
                    + keyFile + " could not be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Checks the key file before any work: readable, and an identity when {@code decrypt}.
     *
     * @param keyFile the key file
     * @param decrypt whether it must decrypt
     * @return a warning when others may read it, or null
     * @throws IllegalArgumentException if it cannot be used
     */
    static String check(Path keyFile, boolean decrypt) {
        boolean identity = isIdentity(keyFile);
        if (decrypt && !identity) {
            throw new IllegalArgumentException("--key-file must hold the age identity (the private key, a line "
                    + "AGE-SECRET-KEY-1...) to decrypt, but " + keyFile + " holds none (a recipients file only encrypts)");
        }
        if (!identity) {
            return null;
        }
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(keyFile);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                return "the key file " + keyFile + " can be read by other users: chmod 600 it";
            }
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
        return null;
    }

    /** A running age process and where its stderr goes. */
    static final class Run implements AutoCloseable {
        private final Process process;
        private final Path stderr;
        private final String what;

        private Run(Process process, Path stderr, String what) {
            this.process = process;
            this.stderr = stderr;
            this.what = what;
        }

        /** @return the plaintext to write (encryption) */
        OutputStream in() {
            return process.getOutputStream();
        }

        /** @return the plaintext to read (decryption) */
        InputStream out() {
            return process.getInputStream();
        }

        /**
         * Waits for age to end.
         *
         * @throws IllegalStateException if it failed: age's own first line (never the key)
         */
        void finish() {
            try {
                if (!process.waitFor(10, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("age did not end within 10 minutes " + what);
                }
                if (process.exitValue() != 0) {
                    String message = Files.readString(stderr, StandardCharsets.UTF_8).lines()
                            .filter(l -> !l.isBlank()).findFirst().orElse("exit " + process.exitValue()).strip();
                    throw new IllegalStateException("age failed " + what + ": " + message);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted " + what, e);
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                Files.deleteIfExists(stderr);
            } catch (IOException e) {
                // a temporary file
            }
        }
    }

    /**
     * Starts encrypting into a file: write the plaintext to {@link Run#in()}, close it, then
     * {@link Run#finish()}.
     *
     * @param keyFile an identity or recipients file
     * @param output the encrypted file to write
     * @return the running encryption
     */
    static Run encrypt(Path keyFile, Path output) {
        List<String> command = new ArrayList<>(List.of("age", "--encrypt"));
        command.addAll(List.of(isIdentity(keyFile) ? "--identity" : "--recipients-file", keyFile.toString()));
        command.addAll(List.of("--output", output.toString()));
        return start(command, ProcessBuilder.Redirect.PIPE, "encrypting " + output.getFileName());
    }

    /**
     * Starts decrypting a file: read the plaintext from {@link Run#out()}, then {@link Run#finish()}.
     *
     * @param keyFile an identity file
     * @param input the encrypted file
     * @return the running decryption
     */
    static Run decrypt(Path keyFile, Path input) {
        return start(List.of("age", "--decrypt", "--identity", keyFile.toString(), input.toString()),
                ProcessBuilder.Redirect.PIPE, "decrypting " + input.getFileName());
    }

    private static Run start(List<String> command, ProcessBuilder.Redirect in, String what) {
        try {
            Path stderr = Files.createTempFile("jeex-age-", ".err");
            Process p = new ProcessBuilder(command).redirectInput(in).redirectError(stderr.toFile()).start();
            return new Run(p, stderr, what);
        } catch (IOException e) {
            throw new IllegalStateException("age could not be started (" + e.getMessage() + "): install it "
                    + "(apt-get install age) or back up without --key-file", e);
        }
    }
}
