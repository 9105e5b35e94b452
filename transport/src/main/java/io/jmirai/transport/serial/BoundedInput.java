package io.jmirai.transport.serial;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.ByteBufferInput;
import java.nio.ByteBuffer;

/**
 * A Kryo input that charges every declared size (array, collection and map lengths, string lengths) against a budget
 * of twice the bytes present, so that a short payload cannot make the decoder allocate for elements it does not
 * contain (see {@link DecodeLimits}). Not thread-safe: one per decode.
 */
final class BoundedInput extends ByteBufferInput {
    private static final long SLACK = 1024;

    private long budget;

    BoundedInput(ByteBuffer bytes) {
        super(bytes);
        this.budget = 2L * bytes.remaining() + SLACK;
    }

    /**
     * Takes {@code count} elements from the budget.
     *
     * @throws KryoException if the payload cannot hold them
     */
    void charge(long count) {
        if (count < 0 || count > budget) {
            throw new KryoException("declared size exceeds the bytes present: size=" + count + ", remainingBudget="
                    + budget + ", payloadBytes=" + limit());
        }
        budget -= count;
    }

    /** Reads a varint length at the current position without consuming it. */
    int peekLength() {
        int start = position();
        int length = readVarInt(true);
        setPosition(start);
        return length;
    }

    @Override
    public String readString() {
        int start = position();
        if (readVarIntFlag()) { // UTF-8 (or null/empty): a char count comes first, and chars are allocated for it
            int count = readVarIntFlag(true);
            if (count > 1) {
                charge(count - 1L);
            }
        }
        setPosition(start);
        return super.readString();
    }

    @Override
    public StringBuilder readStringBuilder() {
        int start = position();
        if (readVarIntFlag()) {
            int count = readVarIntFlag(true);
            if (count > 1) {
                charge(count - 1L);
            }
        }
        setPosition(start);
        return super.readStringBuilder();
    }
}
