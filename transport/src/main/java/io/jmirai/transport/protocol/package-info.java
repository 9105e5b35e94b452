/**
 * The wire protocol: the 16-byte frame header ({@link io.jmirai.transport.protocol.FrameHeader}), frame types, the
 * frame decoder that checks lengths before allocating, the HMAC handshake and heartbeats. Codes are protocol: never
 * renumbered, only added.
 */
package io.jmirai.transport.protocol;
