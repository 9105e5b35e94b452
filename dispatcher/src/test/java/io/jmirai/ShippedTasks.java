package io.jmirai;

import io.jmirai.api.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * Tasks whose classes a daemon started with only the daemon jar does not have: it fetches this class (the lambdas'
 * capturing class) and the record from the host ({@code ClassShippingTest}). Kept free of test-framework types, so
 * that loading it pulls nothing else over.
 */
final class ShippedTasks {
    /** A record defined only on the host. */
    record Pair(String name, int count) {
        String shout() {
            return name.toUpperCase(java.util.Locale.ROOT) + "x" + count;
        }
    }

    private ShippedTasks() {}

    /** @return a lambda that captures a record and reports which loader defined its classes on the daemon */
    static Task<String> pair(String name, int count) {
        Pair p = new Pair(name, count);
        return () ->
                p + " " + p.shout() + " loader=" + Pair.class.getClassLoader().getName();
    }

    /** @return a task that reads an environment variable on the daemon */
    static Task<String> env(String name) {
        return () -> System.getenv(name);
    }

    /** @return a task that says whether the daemon's machine has a network interface of that name */
    static Task<Boolean> hasInterface(String name) {
        return () -> java.net.NetworkInterface.getByName(name) != null;
    }

    /**
     * @return a task that asks the daemon's task class loader for each name and for the resource {@code resource},
     *     and reports, per name, "loaded" or why not (the cause the remote class loader gives)
     */
    static Task<List<String>> probe(String resource, String... names) {
        return () -> {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            List<String> out = new ArrayList<>();
            for (String name : names) {
                try {
                    loader.loadClass(name); // not Class.forName, which refuses a name with '/' before any loader
                    out.add(name + ": loaded");
                } catch (ClassNotFoundException e) {
                    out.add(name + ": "
                            + (e.getCause() == null ? "no cause" : e.getCause().getMessage()));
                }
            }
            out.add(resource + ": " + (loader.getResource(resource) == null ? "no resource" : "resource found"));
            return out;
        };
    }
}
