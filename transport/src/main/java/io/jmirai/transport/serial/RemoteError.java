package io.jmirai.transport.serial;

import io.jmirai.transport.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * An exception thrown by a task, as text: class name, message, stack trace and cause chain. Errors travel in this fixed
 * binary form, not Kryo, so the host can always read them, whatever classes it has.
 *
 * <pre>
 * error    = string className, string message (length -1 = null), u16 frameCount, frame*, u8 hasCause, [error]
 * frame    = string declaringClass, string methodName, string fileName (-1 = null), i32 lineNumber
 * string   = i32 length, UTF-8 bytes
 * </pre>
 *
 * Bounded when decoding: strings up to 1 MiB, 4,096 frames, a cause chain 32 deep.
 *
 * @param className the exception's class name
 * @param message its message, or {@code null}
 * @param stackTrace its stack trace, innermost frame first
 * @param cause its cause, or {@code null}
 */
public record RemoteError(String className, String message, List<StackTraceElement> stackTrace, RemoteError cause) {
    private static final int MAX_STRING = 1 << 20;
    private static final int MAX_FRAMES = 4096;
    private static final int MAX_DEPTH = 32;

    /** Copies the stack trace list. */
    public RemoteError {
        stackTrace = List.copyOf(stackTrace);
    }

    /**
     * Captures a throwable and its cause chain (cut at {@value #MAX_DEPTH} and at any cycle). Never throws: a
     * throwable whose {@code getMessage()}, {@code getStackTrace()} or {@code getCause()} throws (or recurses until the
     * stack overflows) is captured with what could be read and a note in place of the rest.
     */
    public static RemoteError of(Throwable t) {
        try {
            return of(t, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
        } catch (Throwable e) { // even the identity set or a class name can fail under a stack overflow or OOM
            return new RemoteError(safeClassName(t), "(the error could not be captured)", List.of(), null);
        }
    }

    private static RemoteError of(Throwable t, Set<Throwable> seen, int depth) {
        seen.add(t);
        List<StackTraceElement> list;
        try {
            StackTraceElement[] frames = t.getStackTrace();
            list = frames == null ? List.of() : copyFrames(frames);
        } catch (Throwable e) {
            list = List.of();
        }
        String message;
        try {
            message = t.getMessage();
        } catch (Throwable e) {
            message = "(getMessage() threw " + safeClassName(e) + ")";
        }
        Throwable cause;
        try {
            cause = t.getCause();
        } catch (Throwable e) {
            cause = null;
        }
        RemoteError c =
                cause == null || seen.contains(cause) || depth + 1 >= MAX_DEPTH ? null : of(cause, seen, depth + 1);
        return new RemoteError(safeClassName(t), message, list, c);
    }

    private static List<StackTraceElement> copyFrames(StackTraceElement[] frames) {
        List<StackTraceElement> list = new ArrayList<>(Math.min(frames.length, MAX_FRAMES));
        for (int i = 0; i < frames.length && i < MAX_FRAMES; i++) {
            if (frames[i] != null) {
                list.add(frames[i]);
            }
        }
        return list;
    }

    private static String safeClassName(Throwable t) {
        return t == null ? "java.lang.Throwable" : t.getClass().getName();
    }

    /** @return the encoded form, in a buffer the caller owns */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(256);
        try {
            writeTo(out);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private void writeTo(ByteBuf out) {
        writeString(out, className);
        writeString(out, message);
        out.writeShort(stackTrace.size());
        for (StackTraceElement f : stackTrace) {
            writeString(out, f.getClassName());
            writeString(out, f.getMethodName());
            writeString(out, f.getFileName());
            out.writeInt(f.getLineNumber());
        }
        out.writeBoolean(cause != null);
        if (cause != null) {
            cause.writeTo(out);
        }
    }

    /**
     * Decodes an error; does not release {@code in}.
     *
     * @throws ProtocolException if the bytes are malformed or exceed the bounds
     */
    public static RemoteError decode(ByteBuf in) {
        try {
            RemoteError e = readFrom(in, 0);
            if (in.isReadable()) {
                throw new ProtocolException("trailing bytes after error: trailing=" + in.readableBytes());
            }
            return e;
        } catch (IndexOutOfBoundsException e) {
            throw new ProtocolException("truncated error payload", e);
        }
    }

    private static RemoteError readFrom(ByteBuf in, int depth) {
        if (depth >= MAX_DEPTH) {
            throw new ProtocolException("error cause chain too deep: depth=" + depth);
        }
        String className = readString(in);
        if (className == null) {
            throw new ProtocolException("error has no class name");
        }
        String message = readString(in);
        int n = in.readUnsignedShort();
        if (n > MAX_FRAMES) {
            throw new ProtocolException("too many stack frames: count=" + n + ", max=" + MAX_FRAMES);
        }
        List<StackTraceElement> frames = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String declaringClass = readString(in);
            String methodName = readString(in);
            String fileName = readString(in);
            int line = in.readInt();
            frames.add(new StackTraceElement(
                    declaringClass == null ? "?" : declaringClass,
                    methodName == null ? "?" : methodName,
                    fileName,
                    line));
        }
        RemoteError cause = in.readBoolean() ? readFrom(in, depth + 1) : null;
        return new RemoteError(className, message, frames, cause);
    }

    private static void writeString(ByteBuf out, String s) {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING) {
            bytes = java.util.Arrays.copyOf(bytes, MAX_STRING);
        }
        out.writeInt(bytes.length).writeBytes(bytes);
    }

    private static String readString(ByteBuf in) {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > MAX_STRING || n > in.readableBytes()) {
            throw new ProtocolException("bad string length in error: length=" + n);
        }
        String s = in.toString(in.readerIndex(), n, StandardCharsets.UTF_8);
        in.skipBytes(n);
        return s;
    }
}
