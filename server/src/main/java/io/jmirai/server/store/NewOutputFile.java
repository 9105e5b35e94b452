package io.jmirai.server.store;

import java.io.InputStream;

/**
 * An output file to store with a task's result: read to its end by the store (not closed: the caller owns it).
 *
 * @param name the file's path relative to the task's working directory, {@code /}-separated, no {@code ..} segment
 * @param content its bytes
 */
public record NewOutputFile(String name, InputStream content) {}
