package io.jmirai.server;

import io.jmirai.DaemonOptions;
import io.jmirai.Daemons;
import io.jmirai.server.store.JobStore;
import io.jmirai.server.store.StoreOptions;
import io.jmirai.tls.HostTls;
import io.jmirai.transport.ListenUrl;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running standalone server: its {@link JobStore}, the dispatcher with its daemons' listener (a {@link Daemons}
 * started with the identity kept in the store, so daemons dial it exactly as they dial an embedded dispatcher) and
 * its local daemons. Started by {@link #start}; {@link #close} stops everything it started. Thread-safe; one
 * background thread reports changes in the number of connected daemons.
 */
public final class JMiraiServer implements AutoCloseable {
    private final JobStore store;
    private final Daemons daemons;
    private final Credentials credentials;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread reporter;
    private final ServerClients clients;
    private final JobRunner jobs;

    private JMiraiServer(
            JobStore store,
            Daemons daemons,
            ServerClients clients,
            JobRunner jobs,
            Credentials credentials,
            PrintStream out) {
        this.jobs = jobs;
        this.store = store;
        this.daemons = daemons;
        this.clients = clients;
        this.credentials = credentials;
        this.reporter = new Thread(() -> report(out), "jmirai-server-status");
        reporter.setDaemon(true);
    }

    /**
     * Opens the store, listens and starts the local daemons, then writes the credentials file.
     *
     * @param url where to listen; port 0 picks a free port the first time and the same port after a restart
     * @param storeFile the store's file (created if missing)
     * @param credentialsFile where to write the credentials ({@code 0600}); for TLS URLs the certificate is also
     *     written alone to {@link #certificateFile}
     * @param local how many local daemons to keep
     * @param classpath the tasks' classpath for the local daemons, or null
     * @param out where to say the URL listened on ({@code jmirai server listening on URL}, first) and then each change
     *     in the number of connected daemons (one line each)
     * @throws io.jmirai.server.store.StoreException if the store cannot be opened
     * @throws UncheckedIOException if the credentials file cannot be written
     */
    public static JMiraiServer start(
            String url, Path storeFile, Path credentialsFile, int local, String classpath, PrintStream out) {
        return start(url, storeFile, credentialsFile, local, classpath, out, StoreOptions.defaults());
    }

    /** As {@link #start(String, Path, Path, int, String, PrintStream)}, with the store opened with {@code storeOptions}. */
    static JMiraiServer start(
            String url,
            Path storeFile,
            Path credentialsFile,
            int local,
            String classpath,
            PrintStream out,
            StoreOptions storeOptions) {
        Objects.requireNonNull(credentialsFile, "credentialsFile");
        if (local < 0) {
            throw new IllegalArgumentException("local : " + local + " (expected: >= 0)");
        }
        JobStore store = JobStore.open(storeFile, storeOptions);
        Daemons daemons = null;
        JobRunner jobs = new JobRunner(store);
        ServerClients clients = new ServerClients(jobs);
        try {
            ServerIdentity id = ServerIdentity.loadOrCreate(store, ListenUrl.parse(url));
            DaemonOptions options = DaemonOptions.defaults();
            if (classpath != null) {
                options = options.classpath(classpath);
            }
            Daemons.Builder b = Daemons.builder()
                    .url(id.url().toString())
                    .secret(id.secret())
                    .daemonOptions(options)
                    .clientService(clients)
                    .local(local);
            HostTls tls = id.hostTls();
            if (tls != null) {
                b.tls(tls);
            }
            daemons = b.start();
            clients.started(daemons, local > 0);
            ServerIdentity.rememberUrl(store, daemons.url());
            Credentials credentials = new Credentials(daemons.url(), id.secret(), id.certificatePem());
            credentials.write(credentialsFile);
            if (id.certificatePem() != null) { // public: what daemons pin (--cert-pem-file), no secret in it
                java.nio.file.Files.writeString(
                        certificateFile(credentialsFile),
                        credentials.certificatePem(),
                        java.nio.charset.StandardCharsets.UTF_8);
            }
            JMiraiServer server = new JMiraiServer(store, daemons, clients, jobs, credentials, out);
            // the first line, before the status thread's: scripts and tests wait for it
            out.println("jmirai server listening on " + credentials.url());
            out.flush();
            server.reporter.start();
            return server;
        } catch (IOException e) {
            jobs.close();
            closeQuietly(daemons, store);
            throw new UncheckedIOException("cannot write credentials file: " + credentialsFile, e);
        } catch (RuntimeException e) {
            jobs.close();
            closeQuietly(daemons, store);
            throw e;
        }
    }

    /** @return where the certificate alone is written for TLS URLs: the credentials file's name with {@code .pem} */
    public static Path certificateFile(Path credentialsFile) {
        return credentialsFile.resolveSibling(credentialsFile.getFileName() + ".pem");
    }

    /** @return completes when a client asked the server to stop ({@code Daemons.shutdownServer()}) */
    public java.util.concurrent.CompletableFuture<Void> shutdownRequested() {
        return clients.shutdownRequested();
    }

    /** @return the URL, secret and certificate written to the credentials file */
    public Credentials credentials() {
        return credentials;
    }

    /** @return the server's host side: its daemons, their status, mirai and map on them */
    public Daemons daemons() {
        return daemons;
    }

    /** @return the server's store */
    public JobStore store() {
        return store;
    }

    /** Stops the local daemons, the listener and the store. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        reporter.interrupt();
        jobs.close(); // first: results that arrive while the dispatcher closes are not stored, and run again later
        closeQuietly(daemons, store);
    }

    /** Prints {@code daemons: N connected} whenever N changes, until closed. */
    private void report(PrintStream out) {
        int last = -1;
        while (!closed.get()) {
            int now = daemons.status().connections();
            if (now != last) {
                out.println("daemons: " + now + " connected");
                out.flush();
                last = now;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void closeQuietly(Daemons daemons, JobStore store) {
        try {
            if (daemons != null) {
                daemons.close();
            }
        } finally {
            store.close();
        }
    }
}
