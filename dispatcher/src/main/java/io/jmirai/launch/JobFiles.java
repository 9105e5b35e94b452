package io.jmirai.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files a job needs: a private launch directory (mode 700) holding the secret (mode 600), the certificate and
 * the job scripts. Secret files still present when the JVM exits are deleted then.
 */
final class JobFiles {
    private static final Set<Path> SECRETS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> SECRETS.forEach(Processes::deleteQuietly), "jmirai-job-secrets"));
    }

    private JobFiles() {}

    /** @return a new private directory in {@code base} (made if need be, mode 700) */
    static Path newLaunchDir(Path base) {
        try {
            if (!Files.isDirectory(base)) {
                Files.createDirectories(
                        base, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            return Files.createTempDirectory(
                    base.toAbsolutePath(),
                    "launch-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a launch directory in " + base + ": " + e.getMessage(), e);
        }
    }

    /** Writes the secret to {@code dir/secret}, readable by its owner only; remembered until {@link #forget}. */
    static Path writeSecret(Path dir, String secret) {
        Path file = write(dir.resolve("secret"), secret + "\n", "rw-------");
        SECRETS.add(file);
        return file;
    }

    /** Writes {@code text} to a new file with mode {@code perms}. */
    static Path write(Path file, String text, String perms) {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms)));
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a secret file written by {@link #writeSecret}. */
    static void forget(Path secret) {
        Processes.deleteQuietly(secret);
        SECRETS.remove(secret);
    }
}
