/**
 * The daemon: the standalone program ({@link io.jmirai.daemon.DaemonMain}, {@code java -jar jmirai-daemon-all.jar
 * URL [options]}) that dials the host, proves it holds the session secret, and evaluates tasks one at a time on a
 * worker thread, sending back each value or error. Its executable jar is the Maven artifact
 * {@code io.jmirai:jmirai-daemon} with classifier {@code all}.
 */
package io.jmirai.daemon;
