package io.jmirai.dispatcher;

import io.jmirai.Status;
import io.jmirai.transport.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The operations a client asks a server for in REQUEST frames, and the binary layout of their arguments and answers
 * (no Kryo: nothing here runs code of the peer's choosing). A REQUEST payload is an operation code (u8) followed by
 * the operation's arguments; its REPLY payload is the answer, or, with flag {@code REPLY_ERROR}, a UTF-8 message.
 * Every value is big-endian: {@code i32}, {@code i64}, strings and byte strings as an {@code i32} length and the bytes
 * (UTF-8 for strings), each length checked against what is left before anything is allocated.
 *
 * <table>
 *   <caption>Operations</caption>
 *   <tr><th>code</th><th>operation</th><th>arguments</th><th>answer</th></tr>
 *   <tr><td>1</td><td>STATUS</td><td>none</td><td>the server's {@link Status}</td></tr>
 *   <tr><td>2</td><td>SHUTDOWN</td><td>none</td><td>empty; then the server stops</td></tr>
 *   <tr><td>3</td><td>SUBMIT_JOB</td><td>id (empty: generated), i32 n, n task payloads</td><td>a job summary</td></tr>
 *   <tr><td>4</td><td>JOB</td><td>id</td><td>a job summary, then i32 running</td></tr>
 *   <tr><td>5</td><td>JOBS</td><td>none</td><td>i32 n, n job summaries</td></tr>
 *   <tr><td>6</td><td>FETCH</td><td>id, i32 from, i32 max bytes</td><td>i32 n, n × (i32 index, bytes result),
 *       i32 next index (-1: no more stored now)</td></tr>
 *   <tr><td>7</td><td>DELETE_JOB</td><td>id</td><td>i32 1 if it existed, else 0</td></tr>
 *   <tr><td>8</td><td>AWAIT_JOB</td><td>id, i64 millis</td><td>a job summary, once complete or when the time is up
 *       </td></tr>
 *   <tr><td>10</td><td>SUBMIT_BEGIN</td><td>id (empty: generated), i32 total</td><td>a job summary (state
 *       SUBMITTING: a job too large for one frame is stored in parts)</td></tr>
 *   <tr><td>11</td><td>SUBMIT_ADD</td><td>id, i32 first index, i32 n, n task payloads</td><td>empty</td></tr>
 *   <tr><td>12</td><td>SUBMIT_SEAL</td><td>id</td><td>a job summary; the job runs from here on</td></tr>
 *   <tr><td>9</td><td>EVERYWHERE</td><td>the rest: an encoded setup task</td><td>once it has run on every daemon
 *       connected: i32 n, n × (u8 0, u8 RESULT flags, bytes payload | u8 1, i32 error code, string message)</td></tr>
 *   <tr><td>13</td><td>RESERVE_SLOTS</td><td>i32 n (at most 1024)</td><td>i32 n, n × i32 slot: slots reserved for
 *       daemons the client launches (each daemon's key is derived from the secret and its slot)</td></tr>
 *   <tr><td>14</td><td>AWAIT_SLOT</td><td>i32 slot, i64 millis (at most 60000)</td><td>u8 1 once a daemon has
 *       connected at the slot, u8 0 if none did in time</td></tr>
 *   <tr><td>15</td><td>RELEASE_SLOTS</td><td>i32 n, n × i32 slot</td><td>empty; reserved slots whose launch failed
 *       are forgotten</td></tr>
 *   <tr><td>16</td><td>RESET</td><td>the rest: an encoded reset</td><td>as EVERYWHERE, once every daemon connected
 *       has run it ({@code Daemons.reset})</td></tr>
 *   <tr><td>17</td><td>SCALE</td><td>i32 target</td><td>empty; the server scales its own pool ({@code --local}) or
 *       answers an error saying why not</td></tr>
 * </table>
 *
 * A job summary is: id, i64 created (epoch millis), i32 total, i32 done, i32 failed, state (text). A stored result is
 * one flags byte (the RESULT frame's flags) and the RESULT payload; flags {@code 0xFF} marks an error the server gave
 * the task itself: i32 code and a UTF-8 message. Stateless.
 */
public final class ClientCalls {
    /** The server's status. */
    public static final int STATUS = 1;
    /** Stop the server. */
    public static final int SHUTDOWN = 2;
    /** Store a job and run it. */
    public static final int SUBMIT_JOB = 3;
    /** One job's summary and how many of its tasks are running. */
    public static final int JOB = 4;
    /** Every job's summary. */
    public static final int JOBS = 5;
    /** A page of a job's stored results. */
    public static final int FETCH = 6;
    /** Delete a job. */
    public static final int DELETE_JOB = 7;
    /** Wait (bounded) until a job is complete. */
    public static final int AWAIT_JOB = 8;

    /** Run a setup on every daemon of the server, now and later ({@code Daemons.everywhere}). */
    public static final int EVERYWHERE = 9;

    /** Start storing a job in parts. */
    public static final int SUBMIT_BEGIN = 10;
    /** Store some task payloads of a job being stored in parts. */
    public static final int SUBMIT_ADD = 11;
    /** End storing a job in parts: it runs. */
    public static final int SUBMIT_SEAL = 12;

    /** Reserve slots for daemons the client launches. */
    public static final int RESERVE_SLOTS = 13;
    /** Wait (bounded) until a daemon has connected at a slot. */
    public static final int AWAIT_SLOT = 14;
    /** Forget reserved slots whose launch failed. */
    public static final int RELEASE_SLOTS = 15;

    /** Reset every daemon of the server. */
    public static final int RESET = 16;
    /** Scale the server's own pool of daemons. */
    public static final int SCALE = 17;

    /** The flags byte of a stored result the server made itself (a task it could not run). */
    public static final int SERVER_ERROR_FLAGS = 0xFF;

    private ClientCalls() {}

    /** Builds a payload. Not thread-safe. */
    public static final class Out {
        private byte[] buf = new byte[64];
        private int n;

        private void room(int more) {
            if (n + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
            }
        }

        /** Appends a byte. */
        public Out u8(int v) {
            room(1);
            buf[n++] = (byte) v;
            return this;
        }

        /** Appends an i32. */
        public Out i32(int v) {
            room(4);
            ByteBuffer.wrap(buf, n, 4).putInt(v);
            n += 4;
            return this;
        }

        /** Appends an i64. */
        public Out i64(long v) {
            room(8);
            ByteBuffer.wrap(buf, n, 8).putLong(v);
            n += 8;
            return this;
        }

        /** Appends a byte string (length and bytes). */
        public Out bytes(byte[] v) {
            i32(v.length);
            return raw(v);
        }

        /** Appends bytes without a length. */
        public Out raw(byte[] v) {
            room(v.length);
            System.arraycopy(v, 0, buf, n, v.length);
            n += v.length;
            return this;
        }

        /** Appends a string (length and UTF-8). */
        public Out str(String v) {
            return bytes(v.getBytes(StandardCharsets.UTF_8));
        }

        /** @return the bytes so far */
        public byte[] toBytes() {
            return Arrays.copyOf(buf, n);
        }

        /** @return how many bytes so far */
        public int length() {
            return n;
        }
    }

    /**
     * Reads a payload; every read checks what is left first.
     *
     * <p>Not thread-safe.
     */
    public static final class In {
        private final ByteBuffer b;

        /** Reads {@code bytes}. */
        public In(byte[] bytes) {
            this.b = ByteBuffer.wrap(bytes);
        }

        private void need(int k, String what) {
            if (k < 0 || b.remaining() < k) {
                throw new ProtocolException(
                        "truncated or malformed " + what + ": need=" + k + ", left=" + b.remaining());
            }
        }

        /** Reads a byte. */
        public int u8() {
            need(1, "u8");
            return b.get() & 0xFF;
        }

        /** Reads an i32. */
        public int i32() {
            need(4, "i32");
            return b.getInt();
        }

        /** Reads an i64. */
        public long i64() {
            need(8, "i64");
            return b.getLong();
        }

        /** Reads a byte string. */
        public byte[] bytes() {
            int k = i32();
            need(k, "bytes");
            byte[] v = new byte[k];
            b.get(v);
            return v;
        }

        /** Reads the rest. */
        public byte[] rest() {
            byte[] v = new byte[b.remaining()];
            b.get(v);
            return v;
        }

        /** Reads a UTF-8 string. */
        public String str() {
            byte[] v = bytes();
            try {
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(v))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new ProtocolException("string is not UTF-8: length=" + v.length, e);
            }
        }

        /** @return bytes left */
        public int remaining() {
            return b.remaining();
        }
    }

    /** @return {@code s} in the STATUS answer's layout */
    public static byte[] encodeStatus(Status s) {
        Out o = new Out().str(s.url()).i32(s.connections()).i64(s.cumulative()).i64(s.awaiting());
        o.i64(s.executing()).i64(s.completed()).i32(s.daemons().size());
        for (Status.DaemonStatus d : s.daemons()) {
            o.str(d.id())
                    .str(d.url())
                    .u8(d.online() ? 1 : 0)
                    .i32(d.instance())
                    .i64(d.assigned())
                    .i64(d.complete());
        }
        o.i64(s.queuedBytes()).i64(s.peakQueuedBytes()).i64(s.maxQueuedBytes());
        o.i32(s.expected())
                .i32(s.running())
                .i32(s.initializing())
                .i32(s.launchFailures().size());
        for (String f : s.launchFailures()) {
            o.str(f);
        }
        return o.toBytes();
    }

    /** @return the status in a STATUS answer */
    public static Status decodeStatus(byte[] bytes) {
        In in = new In(bytes);
        String url = in.str();
        int connections = in.i32();
        long cumulative = in.i64();
        long awaiting = in.i64();
        long executing = in.i64();
        long completed = in.i64();
        int rows = in.i32();
        List<Status.DaemonStatus> daemons = new ArrayList<>(Math.min(Math.max(rows, 0), 1024));
        for (int i = 0; i < rows; i++) {
            daemons.add(new Status.DaemonStatus(in.str(), in.str(), in.u8() != 0, in.i32(), in.i64(), in.i64()));
        }
        long queued = in.i64();
        long peak = in.i64();
        long max = in.i64();
        int expected = in.i32();
        int running = in.i32();
        int initializing = in.i32();
        int failures = in.i32();
        List<String> launchFailures = new ArrayList<>(Math.min(Math.max(failures, 0), Status.MAX_LAUNCH_FAILURES));
        for (int i = 0; i < failures; i++) {
            launchFailures.add(in.str());
        }
        return new Status(
                url,
                connections,
                cumulative,
                awaiting,
                executing,
                completed,
                daemons,
                queued,
                peak,
                max,
                expected,
                running,
                initializing,
                launchFailures);
    }
}
