package io.jmirai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jmirai.api.Task;
import io.jmirai.launch.DaemonJar;
import io.jmirai.launch.LaunchConfig;
import io.jmirai.launch.LocalLauncher;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote class loading against real daemon JVMs started with only the daemon jar on their class path (no
 * {@code --classpath}): a lambda, a record and a class from a library jar that exist only on the host run there, the
 * classes being fetched over the authenticated connection. The application and its library are compiled by the test
 * into a directory and a jar that only the host's class loader sees. With the opt-out on either side, the same task
 * fails with the missing-class error. Also over SSH into another network namespace, and in a Slurm sbatch job.
 */
@Tag("integration")
@Timeout(180)
@ExtendWith(LeakCheck.class)
class ClassShippingTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String EXPECTED = "hello, world Point[x=2, y=3] sum=5 loader=jmirai-tasks";

    @TempDir
    static Path shipped;

    private static URLClassLoader app;

    @BeforeAll
    static void compileTheApplicationAndItsLibrary() throws Exception {
        Path libSrc = write(
                shipped.resolve("lib-src/shipped/lib/Greeter.java"),
                "package shipped.lib;\n"
                        + "public final class Greeter {\n"
                        + "    private Greeter() {}\n"
                        + "    public static String greet(String who) { return \"hello, \" + who; }\n"
                        + "}\n");
        Path appSrc = write(
                shipped.resolve("app-src/shipped/app/Jobs.java"),
                "package shipped.app;\n"
                        + "import io.jmirai.api.Task;\n"
                        + "public final class Jobs {\n"
                        + "    private Jobs() {}\n"
                        + "    public record Point(int x, int y) { int sum() { return x + y; } }\n"
                        + "    public static Task<String> job(String who, int x, int y) {\n"
                        + "        Point p = new Point(x, y);\n"
                        + "        return () -> shipped.lib.Greeter.greet(who) + \" \" + p + \" sum=\" + p.sum()\n"
                        + "                + \" loader=\" + Point.class.getClassLoader().getName();\n"
                        + "    }\n"
                        + "}\n");
        Path libClasses = compile(libSrc, shipped.resolve("lib-classes"), "");
        Path libJar = jar(libClasses, shipped.resolve("greeter.jar"));
        String api = Path.of(Task.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
        Path appClasses = compile(appSrc, shipped.resolve("app-classes"), api + java.io.File.pathSeparator + libJar);
        app = new URLClassLoader(
                "shipped-app",
                new URL[] {appClasses.toUri().toURL(), libJar.toUri().toURL()},
                ClassShippingTest.class.getClassLoader());
    }

    private static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    private static Path compile(Path source, Path out, String classpath) throws IOException {
        Files.createDirectories(out);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(
                null, null, null, "--release", "17", "-classpath", classpath, "-d", out.toString(), source.toString());
        assertThat(rc).as("javac " + source).isZero();
        return out;
    }

    private static Path jar(Path classes, Path jar) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file);
                Stream<Path> files = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(p));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** @return the application's task: a lambda capturing a record, calling the library; only {@link #app} has them */
    @SuppressWarnings("unchecked")
    private static Task<String> appTask() throws Exception {
        return (Task<String>) app.loadClass("shipped.app.Jobs")
                .getMethod("job", String.class, int.class, int.class)
                .invoke(null, "world", 2, 3);
    }

    /** Local daemons with the daemon jar alone on their class path. */
    private static LocalLauncher daemonJarOnly() {
        return new LocalLauncher(
                Path.of(System.getProperty("java.home"), "bin", "java"),
                DaemonJar.locate().toString(),
                LocalLauncher.DEFAULT_JVM_ARGS);
    }

    @Test
    void shouldRunALambdaARecordAndALibraryClassThatOnlyTheHostHas() throws Exception {
        assertThat(ClassShippingTest.class.getClassLoader().getResource("shipped/lib/Greeter.class"))
                .as("the library is on no class path but the application's loader")
                .isNull();
        try (Daemons daemons =
                Daemons.builder().launcher(daemonJarOnly()).local(1).start()) {
            assertThat(daemons.mirai(appTask()).get(WAIT)).isEqualTo(EXPECTED);
            assertThat(daemons.mirai(ShippedTasks.pair("ada", 2)).get(WAIT))
                    .as("a test class's lambda and record, served from the Daemons' own class loader")
                    .isEqualTo("Pair[name=ada, count=2] ADAx2 loader=jmirai-tasks");
            assertThat(daemons.mirai(appTask()).get(WAIT))
                    .as("the second time from the daemon's cache")
                    .isEqualTo(EXPECTED);
            assertThat(daemons.mirai(() -> 6 * 7).get(WAIT))
                    .as("a lambda of this very test class: the daemon loads the class, and what verifying it needs")
                    .isEqualTo(42);
        }
    }

    @Test
    void shouldRunTheReadmeExampleAsWritten() throws Exception {
        LocalLauncher daemonJarOnly = new LocalLauncher(
                Path.of(System.getProperty("java.home"), "bin", "java"),
                DaemonJar.locate().toString(),
                LocalLauncher.DEFAULT_JVM_ARGS); // the daemons see the daemon jar alone
        try (Daemons daemons =
                Daemons.builder().launcher(daemonJarOnly).local(1).start()) {
            record Point(int x, int y) {}
            Point p = new Point(2, 3);
            String s = daemons.mirai(() ->
                            p + " loaded by " + Point.class.getClassLoader().getName())
                    .get(Duration.ofSeconds(30)); // Point[x=2, y=3] loaded by jmirai-tasks
            assertThat(s).isEqualTo("Point[x=2, y=3] loaded by jmirai-tasks");
        }
    }

    @Test
    void shouldServeOnlyClassFilesNeverOtherResources() throws Exception {
        assertThat(ClassShippingTest.class.getClassLoader().getResource("io/jmirai/shipping.properties"))
                .as("the host has the resource")
                .isNotNull();
        try (Daemons daemons =
                Daemons.builder().launcher(daemonJarOnly()).local(1).start()) {
            List<String> probed = daemons.mirai(ShippedTasks.probe(
                            "io/jmirai/shipping.properties",
                            "io.jmirai.shipping.properties",
                            "io.jmirai.shipping",
                            "META-INF/MANIFEST.MF",
                            "java.lang.Shipped",
                            "io.jmirai.Values"))
                    .get(WAIT);
            assertThat(probed)
                    .containsExactly(
                            "io.jmirai.shipping.properties: the host does not serve it either: not found by the task's"
                                    + " class loader on the host: name=io.jmirai.shipping.properties",
                            "io.jmirai.shipping: the host does not serve it either: not found by the task's class"
                                    + " loader on the host: name=io.jmirai.shipping",
                            "META-INF/MANIFEST.MF: not a binary name (character '-' at 4): name=META-INF/MANIFEST.MF",
                            "java.lang.Shipped: java.* classes are never served: name=java.lang.Shipped",
                            "io.jmirai.Values: loaded",
                            "io/jmirai/shipping.properties: no resource");
        }
    }

    @Test
    void shouldFailWithTheMissingClassErrorWhenTheHostShipsNoClasses() throws Exception {
        try (Daemons daemons = Daemons.builder()
                .launcher(daemonJarOnly())
                .shipClasses(false)
                .local(1)
                .start()) {
            Object d = DaemonsTest.awaitData(daemons.mirai(appTask()));
            assertThat(d).isInstanceOf(MiraiError.class);
            assertThat(((MiraiError) d).message())
                    .contains("class not found on the daemon: shipped.app.Jobs")
                    .contains("remote class loading did not supply it: the host does not ship classes on this"
                            + " connection (Daemons.builder().shipClasses(false)")
                    .contains("--classpath");
        }
    }

    @Test
    void shouldFailWithTheMissingClassErrorWhenTheDaemonOptsOut() throws Exception {
        try (Daemons daemons = Daemons.builder()
                .launcher(daemonJarOnly())
                .daemonOptions(DaemonOptions.defaults().classLoading(false))
                .local(1)
                .start()) {
            Object d = DaemonsTest.awaitData(daemons.mirai(appTask()));
            assertThat(d).isInstanceOf(MiraiError.class);
            assertThat(((MiraiError) d).message())
                    .contains("class not found on the daemon: shipped.app.Jobs")
                    .contains("remote class loading is off (the daemon was started with --no-class-loading)")
                    .contains("--classpath");
        }
    }

    @Test
    void shouldShipClassesToADaemonStartedOverSshInAnotherNetworkNamespace() throws Exception {
        Path sshDir = RemoteInfra.sshDir();
        String other = RemoteInfra.namespaceHost(sshDir);
        try (Daemons daemons = Daemons.builder().url("tcp://127.0.0.1:0").start()) {
            daemons.launchRemote(
                    1,
                    RemoteInfra.daemonOn(LaunchConfig.ssh(other)
                            .user("root")
                            .sshOptions("-F", sshDir.resolve("ssh_config").toString())
                            .tunnel(true)
                            .daemonOptions(DaemonOptions.defaults()) // no --classpath: the daemon jar alone
                            .timeout(WAIT)));
            assertThat(daemons.mirai(appTask()).get(WAIT)).isEqualTo(EXPECTED);
            assertThat(daemons.mirai(ShippedTasks.hasInterface("jm-veth1")).get(WAIT))
                    .as("the daemon runs in the other host's network namespace")
                    .isTrue();
        }
    }

    @Test
    void shouldShipClassesToADaemonInASlurmBatchJob() throws Exception {
        String conf = RemoteInfra.slurmConf();
        RemoteInfra.awaitSlurmNodeReady(conf); // a drained node makes jobs wait for ever
        Path jobs = Files.createDirectories(shipped.resolve("jobs"));
        try {
            String jobId;
            try (Daemons daemons = Daemons.builder().start()) {
                jobId = daemons.launchRemote(
                                1,
                                RemoteInfra.daemonOn(LaunchConfig.cluster("sbatch", "")
                                        .scriptDir(jobs)
                                        .env("SLURM_CONF", conf)
                                        .daemonOptions(DaemonOptions.defaults()) // no --classpath
                                        .timeout(WAIT)))
                        .get(0)
                        .jobId();
                await("the job's daemon connects")
                        .atMost(WAIT)
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> daemons.status().connections() == 1);
                assertThat(daemons.mirai(appTask()).get(WAIT)).isEqualTo(EXPECTED);
                assertThat(daemons.mirai(ShippedTasks.env("SLURM_JOB_ID")).get(WAIT))
                        .isEqualTo(jobId);
            }
            await("the job ends when the host closes")
                    .atMost(WAIT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> RemoteInfra.run(List.of("squeue", "-h", "--name=jmirai", "-o", "%i"), conf)
                            .isBlank());
        } finally {
            RemoteInfra.run(List.of("scancel", "--name=jmirai"), conf);
        }
    }
}
