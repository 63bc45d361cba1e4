package dev.torch4j.io.onnx;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Protocol-buffers wire format over a byte range: tags, varints, fixed-width numbers and length-delimited
 * fields, each read only after checking it lies inside the range. Errors name {@code source} and the message
 * being read.
 */
final class ProtoReader {
    static final int VARINT = 0, FIXED64 = 1, LEN = 2, FIXED32 = 5;

    private final byte[] buf;
    private final int end;
    private final String source;
    private int pos;

    ProtoReader(byte[] buf, int start, int end, String source) {
        this.buf = buf;
        this.pos = start;
        this.end = end;
        this.source = source;
    }

    boolean hasMore() {
        return pos < end;
    }

    int position() {
        return pos;
    }

    OnnxFormatException error(String what) {
        return new OnnxFormatException(source + ": " + what);
    }

    /** Reads a field tag; returns {@code fieldNumber << 3 | wireType}. */
    int readTag() throws OnnxFormatException {
        long tag = readVarint();
        if (tag >>> 32 != 0 || (tag >>> 3) == 0) throw error("invalid field tag " + tag + " at byte " + pos);
        return (int) tag;
    }

    long readVarint() throws OnnxFormatException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) throw error("truncated varint at byte " + pos);
            byte b = buf[pos++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) return result;
        }
        throw error("varint longer than 10 bytes at byte " + pos);
    }

    int readFixed32() throws OnnxFormatException {
        need(4);
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    long readFixed64() throws OnnxFormatException {
        long lo = readFixed32() & 0xffffffffL;
        long hi = readFixed32() & 0xffffffffL;
        return hi << 32 | lo;
    }

    /** Reads a length prefix and returns a reader over those bytes, advancing past them. */
    ProtoReader readMessage(String what) throws OnnxFormatException {
        int len = readLength(what);
        ProtoReader r = new ProtoReader(buf, pos, pos + len, source);
        pos += len;
        return r;
    }

    /** Start offset in the buffer of a length-delimited field's bytes; {@link #lastLength()} is its length. */
    int readBytesOffset(String what) throws OnnxFormatException {
        lastLength = readLength(what);
        int at = pos;
        pos += lastLength;
        return at;
    }

    private int lastLength;

    int lastLength() {
        return lastLength;
    }

    byte[] buffer() {
        return buf;
    }

    String readString(String what) throws OnnxFormatException {
        int len = readLength(what);
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buf, pos, len)).toString();
            pos += len;
            return s;
        } catch (CharacterCodingException e) {
            throw error(what + " is not valid UTF-8");
        }
    }

    private int readLength(String what) throws OnnxFormatException {
        long len = readVarint();
        if (len < 0 || len > end - pos)
            throw error(what + ": length " + len + " at byte " + pos + " runs past the end of its message (" + (end - pos)
                    + " bytes left)");
        return (int) len;
    }

    private void need(int n) throws OnnxFormatException {
        if (end - pos < n) throw error("truncated field at byte " + pos);
    }

    /** Skips a field of {@code wireType} whose tag was just read. */
    void skip(int wireType) throws OnnxFormatException {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> { need(8); pos += 8; }
            case LEN -> { int len = readLength("field"); pos += len; }
            case FIXED32 -> { need(4); pos += 4; }
            default -> throw error("unsupported wire type " + wireType + " at byte " + pos);
        }
    }
}
