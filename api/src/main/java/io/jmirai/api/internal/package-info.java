/**
 * Not API: what travels inside a TASK payload besides the user's task, and the daemon-side task state. Public only
 * because the transport, the daemon and the host use it from other packages; user code must not.
 */
package io.jmirai.api.internal;
