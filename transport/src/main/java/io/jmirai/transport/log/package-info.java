/**
 * Helpers for what jmirai logs through SLF4J: a limiter for events a stranger can cause at will (refused handshakes,
 * redials), and redaction of the per-daemon tokens that URLs carry. jmirai never logs the session secret, and logs a
 * URL only through {@link io.jmirai.transport.log.Redact#url}.
 */
package io.jmirai.transport.log;
