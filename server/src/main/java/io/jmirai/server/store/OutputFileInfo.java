package io.jmirai.server.store;

/**
 * An output file collected from one task and stored with its result.
 *
 * @param index the task's position in the job
 * @param name the file's path relative to the task's working directory, with {@code /} separators
 * @param size its length in bytes
 */
public record OutputFileInfo(int index, String name, long size) {}
