package dev.torch4j;

import java.util.ArrayList;
import java.util.List;

/** Parser and evaluator of the compact index syntax of {@link Tensor#index(String)}. */
final class IndexSpec {
    private sealed interface Item permits Int, Slice, NewAxis, Ellipsis {}

    private record Int(long index) implements Item {}

    private record Slice(Long start, Long stop, long step) implements Item {}

    private record NewAxis() implements Item {}

    private record Ellipsis() implements Item {}

    private final List<Item> items;
    private final String spec;

    private IndexSpec(String spec, List<Item> items) {
        this.spec = spec;
        this.items = items;
    }

    static IndexSpec parse(String spec) {
        if (spec == null) throw new NullPointerException("index spec must not be null");
        List<Item> items = new ArrayList<>();
        String trimmed = spec.strip();
        if (trimmed.isEmpty()) return new IndexSpec(spec, items);
        boolean ellipsis = false;
        for (String raw : trimmed.split(",", -1)) {
            String p = raw.strip();
            if (p.isEmpty()) throw bad(spec, "empty index between commas");
            if (p.equals("...")) {
                if (ellipsis) throw bad(spec, "an index can only have a single ellipsis ('...')");
                ellipsis = true;
                items.add(new Ellipsis());
            } else if (p.equals("None")) {
                items.add(new NewAxis());
            } else if (p.contains(":")) {
                String[] parts = p.split(":", -1);
                if (parts.length > 3) throw bad(spec, "slice '" + p + "' has more than two ':'");
                Long start = parseOpt(spec, parts[0]);
                Long stop = parts.length > 1 ? parseOpt(spec, parts[1]) : null;
                Long step = parts.length > 2 ? parseOpt(spec, parts[2]) : null;
                long st = step == null ? 1 : step;
                if (st <= 0) throw bad(spec, "slice step must be positive, got " + st);
                items.add(new Slice(start, stop, st));
            } else {
                items.add(new Int(parseLong(spec, p)));
            }
        }
        return new IndexSpec(spec, items);
    }

    private static Long parseOpt(String spec, String s) {
        String t = s.strip();
        return t.isEmpty() ? null : parseLong(spec, t);
    }

    private static long parseLong(String spec, String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw bad(spec, "'" + s.strip() + "' is not an integer, slice, None or ...");
        }
    }

    private static IllegalArgumentException bad(String spec, String why) {
        return new IllegalArgumentException("index \"" + spec + "\": " + why);
    }

    Tensor apply(Tensor t) {
        int ndim = t.dim();
        int consumed = 0;
        for (Item it : items) if (it instanceof Int || it instanceof Slice) consumed++;
        if (consumed > ndim)
            throw bad(spec, "too many indices for tensor of dimension " + ndim + " (got " + consumed + ")");
        // Intermediate views are closed here; only the final view leaves.
        Tensor cur = t;
        int dim = 0;
        try {
            for (Item it : items) {
                Tensor next;
                if (it instanceof Int i) {
                    long size = cur.size(dim);
                    long idx = i.index() < 0 ? i.index() + size : i.index();
                    if (idx < 0 || idx >= size)
                        throw bad(spec, "index " + i.index() + " is out of bounds for dimension " + dim + " with size " + size);
                    next = cur.select(dim, idx);
                } else if (it instanceof Slice s) {
                    long size = cur.size(dim);
                    long start = s.start() == null ? 0 : s.start();
                    long stop = s.stop() == null ? size : s.stop();
                    next = cur.slice(dim, start, stop, s.step());
                    dim++;
                } else if (it instanceof NewAxis) {
                    next = cur.unsqueeze(dim);
                    dim++;
                } else {
                    dim += ndim - consumed;
                    continue;
                }
                if (cur != t) cur.close();
                cur = next;
            }
            return cur == t ? t.view(t.shape()) : cur;
        } catch (RuntimeException e) {
            if (cur != t) cur.close();
            throw e;
        }
    }
}
