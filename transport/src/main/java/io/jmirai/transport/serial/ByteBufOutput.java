package io.jmirai.transport.serial;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.ByteBufferOutput;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/**
 * A Kryo output that writes straight into a Netty {@link ByteBuf} (a pooled direct buffer in practice): Kryo writes
 * through an NIO view of the buffer's memory, and when it needs room the {@code ByteBuf} grows, so there is no
 * intermediate {@code byte[]}. Call {@link #finish()} to set the buffer's writer index. Not thread-safe.
 */
final class ByteBufOutput extends ByteBufferOutput {
    private final ByteBuf buf;

    ByteBufOutput(ByteBuf buf) {
        this.buf = buf;
        setBuffer(view(0), buf.maxCapacity());
    }

    @Override
    protected boolean require(int required) throws KryoException {
        if (capacity - position >= required) {
            return false;
        }
        if (required > buf.maxCapacity() - position) {
            throw new KryoException("value too large: required=" + required + ", position=" + position
                    + ", maxCapacity=" + buf.maxCapacity());
        }
        buf.writerIndex(position);
        buf.ensureWritable(required);
        byteBuffer = view(position);
        capacity = buf.capacity();
        return true;
    }

    /** Reserves room for the whole array at once (Kryo's own loop would grow the buffer step by step). */
    @Override
    public void writeBytes(byte[] bytes, int offset, int count) throws KryoException {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes cannot be null.");
        }
        if (capacity - position < count) {
            require(count);
        }
        byteBuffer.put(bytes, offset, count);
        position += count;
    }

    private ByteBuffer view(int position) {
        ByteBuffer view = buf.nioBuffer(0, buf.capacity());
        view.position(position);
        return view;
    }

    /** Sets the buffer's writer index to what has been written and returns the buffer. */
    ByteBuf finish() {
        return buf.writerIndex(position);
    }
}
