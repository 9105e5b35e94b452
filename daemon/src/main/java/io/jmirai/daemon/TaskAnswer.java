package io.jmirai.daemon;

import io.jmirai.transport.protocol.FrameHeader;
import io.jmirai.transport.protocol.FrameType;
import io.jmirai.transport.serial.KryoCodec;
import io.jmirai.transport.serial.RemoteError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;

/**
 * The RESULT a task's end produces, whatever that end was: a value, a value that cannot be serialized (or is too
 * large), a throwable whose own methods throw, a stack overflow, running out of memory. Building an answer never
 * throws: when even the error cannot be captured or encoded, a fixed, pre-encoded error stands in, so the daemon
 * always answers and the host's future always resolves.
 *
 * <p>An answer also says whether the daemon should be recycled after sending it: a {@link VirtualMachineError} (stack
 * overflow, out of memory) or a failed class initialisation anywhere in the error's cause chain may have left the JVM
 * damaged (a class whose static initialiser overflowed the stack stays unusable for the life of the JVM), so the
 * daemon answers, then exits with {@link io.jmirai.api.ExitCode#RECYCLE} and the host starts a fresh one.
 *
 * <p>Stateless and thread-safe; called on the task's worker thread.
 *
 * @param flags the RESULT frame's flags ({@link FrameType.Flags})
 * @param payload the encoded value or error, owned by the caller
 * @param recycle whether the daemon should exit (and be replaced) once it has sent this answer
 */
record TaskAnswer(int flags, ByteBuf payload, boolean recycle) {
    private static final int MAX_CAUSES = 64;

    /** Pre-encoded at class initialisation, when nothing has gone wrong yet; duplicated for each use. */
    private static final byte[] FALLBACK = encodeFallback();

    // Loaded and initialised at once, not in the middle of a stack overflow (which would leave it broken for good);
    // Kryo's exception traces use StringBuffer.
    static {
        new StringBuffer(16).append(1).toString();
    }

    /** Initialises this class (and StringBuffer) now, at daemon start, rather than in the middle of a failure. */
    static void prepare() {
        if (FALLBACK.length == 0) {
            throw new IllegalStateException("empty fallback error");
        }
    }

    /**
     * Encodes a task's value; a value that cannot be serialized or exceeds {@code maxPayloadLength} becomes an error.
     */
    static TaskAnswer ofValue(KryoCodec codec, ByteBufAllocator alloc, Object value, int maxPayloadLength) {
        ByteBuf encoded = null;
        try {
            encoded = codec.encode(alloc, value);
            if (encoded.readableBytes() > maxPayloadLength) {
                int length = encoded.readableBytes();
                encoded.release();
                encoded = null;
                return ofThrowable(
                        alloc,
                        new IllegalStateException(
                                "result too large: length=" + length + ", maxPayloadLength=" + maxPayloadLength
                                        + " (the host's maxFrameLength="
                                        + (maxPayloadLength + FrameHeader.LENGTH_AFTER_LENGTH_FIELD)
                                        + " less the header; raise it with"
                                        + " Daemons.builder().maxFrameLength(n))"));
            }
            return new TaskAnswer(0, encoded, false);
        } catch (Throwable t) {
            if (encoded != null) {
                encoded.release();
            }
            return ofThrowable(alloc, t);
        }
    }

    /** Encodes what a task threw (or what serializing its value threw). */
    static TaskAnswer ofThrowable(ByteBufAllocator alloc, Throwable t) {
        boolean recycle = damaging(t);
        try {
            return new TaskAnswer(FrameType.Flags.RESULT_ERROR, describe(t).encode(alloc), recycle);
        } catch (Throwable e) {
            return new TaskAnswer(FrameType.Flags.RESULT_ERROR, Unpooled.wrappedBuffer(FALLBACK), true);
        }
    }

    /** @return {@code t} as an error value, naming a missing class and the option that fixes it when that is the cause */
    private static RemoteError describe(Throwable t) {
        try {
            return MissingClass.describe(t);
        } catch (Throwable e) { // a throwable whose accessors throw: the plain record, which never throws
            return RemoteError.of(t);
        }
    }

    /** @return the answer with {@code extra} flag bits set */
    TaskAnswer withFlags(int extra) {
        return new TaskAnswer(flags | extra, payload, recycle);
    }

    /** @return the answer, marked for recycling if {@code value} */
    TaskAnswer recycleIf(boolean value) {
        return value ? new TaskAnswer(flags, payload, true) : this;
    }

    /**
     * @return whether {@code t} or one of its causes is an error after which the JVM may be damaged (bounded walk; it
     *     stops at a cause that cannot be read: a throwing accessor is the task's doing, not damage)
     */
    static boolean damaging(Throwable t) {
        try {
            Throwable c = t;
            for (int i = 0; c != null && i < MAX_CAUSES; i++) {
                if (c instanceof VirtualMachineError || c instanceof ExceptionInInitializerError) {
                    return true;
                }
                if (c instanceof NoClassDefFoundError) {
                    String m = c.getMessage();
                    if (m != null && m.startsWith("Could not initialize class")) {
                        return true;
                    }
                }
                Throwable next = c.getCause();
                c = next == c ? null : next;
            }
            return false;
        } catch (Throwable e) {
            return e instanceof VirtualMachineError;
        }
    }

    private static byte[] encodeFallback() {
        ByteBuf b = new RemoteError(
                        "java.lang.Error",
                        "the daemon could not capture or encode the task's outcome; it is being replaced",
                        List.of(),
                        null)
                .encode(UnpooledByteBufAllocator.DEFAULT);
        try {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            return bytes;
        } finally {
            b.release();
        }
    }

    /** @return the largest RESULT payload a frame limit of {@code maxFrameLength} allows */
    static int maxPayloadLength(int maxFrameLength) {
        return maxFrameLength - FrameHeader.LENGTH_AFTER_LENGTH_FIELD;
    }
}
