/**
 * Runnable examples of the README's features, each a {@code main} method and each run by a test so it keeps working.
 */
package io.jmirai.examples;
