package dev.torch4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

import org.bytedeco.javacpp.BytePointer;

import dev.torch4j.DType;
import dev.torch4j.Device;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/**
 * Reads and writes <a href="https://github.com/huggingface/safetensors">safetensors</a> files, the
 * checkpoint format of Hugging Face.
 *
 * <pre>{@code
 * Map<String, Tensor> state = SafeTensors.load(Path.of("model.safetensors"));
 * try {
 *     model.loadStateDict(state);
 * } finally {
 *     state.values().forEach(Tensor::close);
 * }
 * SafeTensors.save(Path.of("out.safetensors"), model.stateDict(), Map.of("format", "pt"));
 * }</pre>
 *
 * <h2>Validation</h2>
 * Every header rule is checked before any data byte is used or any memory proportional to a declared size
 * is allocated (only memory proportional to the file's real size): the header length (non-zero, within the
 * file, at most 100 MB), strict UTF-8, one JSON object without duplicate keys or trailing content, nesting
 * no deeper than 3, each tensor entry exactly {@code dtype}/{@code shape}/{@code data_offsets}, a known
 * dtype string, a shape of at most 64 non-negative integers, offsets two non-negative integers with
 * {@code begin <= end}, {@code end - begin == numel * dtype size}, every span inside the file, and the
 * spans tiling the data section exactly (no overlap, no gap, no trailing byte); {@code __metadata__}, when
 * present, maps strings to strings. A broken rule throws {@link SafeTensorsFormatException} naming the rule
 * and the tensor.
 *
 * <p>Element-count overflow rule: the product of a shape's <em>non-zero</em> dimensions times the dtype size
 * is computed exactly ({@link Math#multiplyExact}) and must fit a signed 64-bit integer, whatever the order of
 * the dimensions; a zero dimension makes the tensor empty but does not excuse the others from overflowing.
 * So {@code [0, 2^62, 2^62]} is refused just like {@code [2^62, 2^62, 0]}: their contiguous strides would
 * not be representable either.
 *
 * <h2>Zero-copy loading</h2>
 * {@link #load} memory-maps each tensor's bytes privately (copy-on-write, {@code MAP_PRIVATE}) and wraps the
 * mapping as the tensor's storage: no copy, pages are read on first touch. Writing to such a tensor changes
 * only this process's copy, never the file. The mapping lives as long as the storage (the tensor and any
 * view of it) and is unmapped when the last of them is closed. The file may be renamed, deleted or
 * replaced (as {@link #save} does) meanwhile, but must not be truncated or rewritten in place while loaded
 * tensors live: like any memory-mapped file, a truncated one makes the process crash when the missing
 * pages are touched.
 *
 * <p>A tensor is copied instead (one bulk read per tensor, into LibTorch-owned memory) when it is empty,
 * when its first byte is not aligned to its element size in the file, when it is larger than 2 GiB (a Java
 * mapping limit), or when the file cannot be opened for writing (needed for a private mapping; the file is
 * never written). Values and behaviour are the same either way.
 *
 * <p>Byte order: the format is little-endian; torch4j runs on little-endian hosts (x86-64, aarch64) and
 * refuses to load or save elsewhere.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Largest tensor mapped zero-copy, and the largest single read or write. */
    private static final long MAX_REGION = Integer.MAX_VALUE;
    private static final int CHUNK = 1 << 30;

    /**
     * Loads every tensor of a safetensors file, in header order, as CPU tensors (zero-copy where possible; see
     * the class documentation).
     *
     * @return a new {@link LinkedHashMap} from tensor name to tensor; the caller owns the tensors and must close
     *     them (they also join the current {@link dev.torch4j.Scope}, if one is open)
     * @throws SafeTensorsFormatException if the file breaks a rule of the format
     * @throws IOException if the file cannot be read
     */
    public static Map<String, Tensor> load(Path path) throws IOException {
        return load(path, true);
    }

    /** {@link #load(Path)}, copying every tensor when {@code zeroCopy} is false (for tests). */
    static Map<String, Tensor> load(Path path, boolean zeroCopy) throws IOException {
        Objects.requireNonNull(path, "path");
        checkByteOrder();
        String file = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        FileChannel ch = null;
        boolean mappable = zeroCopy;
        if (zeroCopy) {
            try {
                ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (AccessDeniedException | UnsupportedOperationException e) {
                mappable = false;
            } catch (FileSystemException e) {
                if (!Files.isReadable(path)) throw e;
                mappable = false; // e.g. a read-only file system
            }
        }
        if (ch == null) ch = FileChannel.open(path, StandardOpenOption.READ);
        try (FileChannel c = ch) {
            Header header = Header.read(c, file);
            Map<String, Tensor> out = new LinkedHashMap<>();
            try {
                for (Header.Entry e : header.entries) out.put(e.name(), read(c, header.dataStart, e, mappable));
            } catch (IOException | RuntimeException | Error ex) {
                out.values().forEach(Tensor::close);
                throw ex;
            }
            return out;
        }
    }

    private static Tensor read(FileChannel ch, long dataStart, Header.Entry e, boolean mappable) throws IOException {
        long offset = dataStart + e.begin();
        long n = e.byteLength();
        if (mappable && n > 0 && n <= MAX_REGION && offset % e.dtype().byteSize() == 0) {
            MappedByteBuffer region = ch.map(FileChannel.MapMode.PRIVATE, offset, n);
            return MappedRegions.wrap(region, e.dtype(), e.shape());
        }
        Tensor t = Torch.empty(e.shape(), e.dtype());
        try {
            if (n > 0) {
                BytePointer dst = new BytePointer(t.unwrap().data_ptr());
                for (long done = 0; done < n; ) {
                    int len = (int) Math.min(CHUNK, n - done);
                    ByteBuffer b = dst.position(done).limit(done + len).asByteBuffer();
                    while (b.hasRemaining()) {
                        int r = ch.read(b, offset + done + b.position());
                        if (r < 0) throw new EOFException("tensor '" + e.name() + "': unexpected end of file (was it truncated while read?)");
                    }
                    done += len;
                }
            }
            return t;
        } catch (IOException | RuntimeException ex) {
            t.close();
            throw ex;
        }
    }

    /**
     * Reads and validates only the header, returning {@code __metadata__} (empty when absent) in header order.
     * The whole header is validated as by {@link #load}; no tensor data is read.
     *
     * @throws SafeTensorsFormatException if the file breaks a rule of the format
     * @throws IOException if the file cannot be read
     */
    public static Map<String, String> loadMetadata(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        String file = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return Header.read(ch, file).metadata;
        }
    }

    /** {@link #save(Path, Map, Map)} without metadata. */
    public static void save(Path path, Map<String, Tensor> tensors) throws IOException {
        save(path, tensors, Map.of());
    }

    /**
     * Writes tensors in the canonical safetensors layout: the header (little-endian length, then the JSON with
     * {@code __metadata__} first and the tensors in the map's iteration order, padded with spaces to a multiple
     * of 8 bytes), then each tensor's elements contiguous, row-major and little-endian, densely in the same
     * order. Tensors on another device are copied to the CPU; non-contiguous ones are written in their logical
     * (row-major) order; the inputs are left unchanged and stay owned by the caller.
     *
     * <p>Atomic: the bytes go to a temporary file in the same directory, which is flushed to disk and then
     * moved over {@code path} in one step, so {@code path} holds either the old file or the complete new one,
     * never a partial write.
     *
     * @param tensors names to tensors; names must not be {@code "__metadata__"}
     * @param metadata string pairs stored as {@code __metadata__} (none when empty)
     * @throws IllegalArgumentException if a name is reserved or a key or value is null
     * @throws IllegalStateException if a tensor is closed
     * @throws IOException if the file cannot be written
     */
    public static void save(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        checkByteOrder();
        List<String> names = new ArrayList<>(tensors.size());
        List<Tensor> values = new ArrayList<>(tensors.size());
        List<DType> dtypes = new ArrayList<>(tensors.size());
        List<long[]> shapes = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null) throw new IllegalArgumentException("tensors: a tensor name is null");
            if (name.equals(Header.METADATA_KEY))
                throw new IllegalArgumentException("tensors: the name '" + Header.METADATA_KEY + "' is reserved");
            Tensor t = e.getValue();
            if (t == null) throw new IllegalArgumentException("tensors: tensor '" + name + "' is null");
            if (t.isClosed()) throw new IllegalStateException("tensors: tensor '" + name + "' is closed");
            names.add(name);
            values.add(t);
            dtypes.add(t.dtype());
            shapes.add(t.shape());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null)
                throw new IllegalArgumentException("metadata: null key or value (key " + e.getKey() + ")");
            meta.put(e.getKey(), e.getValue());
        }
        byte[] header = Header.encode(names, dtypes, shapes, meta);

        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                for (Tensor t : values) writeData(ch, t);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) Files.deleteIfExists(tmp);
        }
    }

    private static void writeData(FileChannel ch, Tensor t) throws IOException {
        try (Tensor det = t.detach(); Tensor cpu = det.to(Device.CPU); Tensor c = cpu.contiguous()) {
            long n = c.nbytes();
            if (n == 0) return;
            BytePointer src = new BytePointer(c.unwrap().data_ptr());
            for (long done = 0; done < n; ) {
                int len = (int) Math.min(CHUNK, n - done);
                writeFully(ch, src.position(done).limit(done + len).asByteBuffer());
                done += len;
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static void checkByteOrder() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
            throw new UnsupportedOperationException("safetensors I/O needs a little-endian host, this one is "
                    + ByteOrder.nativeOrder());
    }
}
