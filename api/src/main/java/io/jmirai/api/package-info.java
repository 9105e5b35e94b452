/**
 * The types a task is written with, which the host and the daemon both need: {@link io.jmirai.api.Task} (a
 * serializable {@code Callable}), {@link io.jmirai.api.MapFunction}, {@link io.jmirai.api.DaemonContext} (what a
 * task sees of its daemon), and the daemon's {@link io.jmirai.api.AutoExit} policies and {@link io.jmirai.api.ExitCode}
 * values. The module ({@code io.jmirai:jmirai-api}) depends on the JDK only, and the daemon's executable jar carries it,
 * so a daemon started by hand needs nothing of jmirai on {@code --classpath} for these.
 */
package io.jmirai.api;
