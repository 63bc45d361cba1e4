package dev.torch4j;

import java.util.Objects;

/** Where a tensor's memory lives: {@link #CPU} or a CUDA device ({@link #cuda(int)}). */
public final class Device {
    /** Kinds of device torch4j supports. */
    public enum Type { CPU, CUDA }

    /** The host CPU. */
    public static final Device CPU = new Device(Type.CPU, -1);

    private final Type type;
    private final int index;

    private Device(Type type, int index) {
        this.type = type;
        this.index = index;
    }

    /** CUDA device {@code index} (0-based). */
    public static Device cuda(int index) {
        if (index < 0) throw new IllegalArgumentException("cuda device index must be >= 0, got " + index);
        return new Device(Type.CUDA, index);
    }

    /** CUDA device 0. */
    public static Device cuda() {
        return cuda(0);
    }

    /** Parses PyTorch's notation: {@code "cpu"}, {@code "cuda"}, {@code "cuda:1"}. */
    public static Device parse(String s) {
        Objects.requireNonNull(s, "device");
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("cpu")) return CPU;
        if (t.equals("cuda")) return cuda(0);
        if (t.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(t.substring(5)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device: expected cpu, cuda or cuda:N, got '" + s + "'");
            }
        }
        throw new IllegalArgumentException("device: expected cpu, cuda or cuda:N, got '" + s + "'");
    }

    public Type type() {
        return type;
    }

    /** Device index, or -1 for the CPU. */
    public int index() {
        return index;
    }

    public boolean isCuda() {
        return type == Type.CUDA;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device d && d.type == type && d.index == index;
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + index;
    }

    /** PyTorch's spelling: {@code cpu}, {@code cuda:0}. */
    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : "cuda:" + index;
    }
}
