package dev.torch4j.distributed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@code worldSize} worker JVMs on this machine, as {@code torchrun --standalone --nproc-per-node=N}:
 * each runs {@code mainClass} with the same class path and Java binary as this JVM and the environment
 * {@code RANK}, {@code LOCAL_RANK}, {@code WORLD_SIZE}, {@code LOCAL_WORLD_SIZE}, {@code MASTER_ADDR=127.0.0.1}
 * and {@code MASTER_PORT} (a free port), so that the worker joins with {@link ProcessGroup#fromEnv()}.
 * {@code OMP_NUM_THREADS=1} is set unless given, as torchrun does, so the workers do not oversubscribe cores.
 *
 * <pre>{@code
 * LocalLauncher.Result r = new LocalLauncher(2).timeout(Duration.ofMinutes(5)).launch(TrainWorker.class, "--epochs", "3");
 * r.throwIfFailed();
 * }</pre>
 *
 * <p>{@link #launch} waits for all workers and collects their exit codes and output (stdout and stderr
 * merged). When the timeout elapses, every worker still running is killed (with its child processes) and
 * marked {@link Worker#killed()}. A worker that fails does not stop the others: they fail on their own
 * within their collective timeout (see {@link ProcessGroup}).
 */
public final class LocalLauncher {
    /** At most this many characters of each worker's output are kept (the tail). */
    static final int OUTPUT_LIMIT = 1 << 20;

    private final int worldSize;
    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Duration timeout = Duration.ofMinutes(10);
    private boolean echo;
    private Path workingDir;

    /** A launcher of {@code worldSize} workers. */
    public LocalLauncher(int worldSize) {
        if (worldSize < 1) throw new IllegalArgumentException("worldSize must be >= 1, got " + worldSize);
        this.worldSize = worldSize;
    }

    /**
     * Extra JVM options of every worker ({@code -Xmx512m}, {@code -Dkey=value}). Default: none, plus every
     * {@code org.bytedeco.*} system property of this JVM (so JavaCPP settings carry over).
     */
    public LocalLauncher jvmArgs(String... args) {
        for (String a : args) jvmArgs.add(Objects.requireNonNull(a, "jvm arg"));
        return this;
    }

    /** Sets an environment variable of every worker (on top of this JVM's environment). */
    public LocalLauncher env(String name, String value) {
        env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** How long {@link #launch} waits before killing all workers. Default: 10 minutes. */
    public LocalLauncher timeout(Duration timeout) {
        C10d.checkTimeout(timeout);
        this.timeout = timeout;
        return this;
    }

    /** Also print each worker's output lines to {@code System.out}, prefixed {@code [rank N] }. Default: false. */
    public LocalLauncher echo(boolean echo) {
        this.echo = echo;
        return this;
    }

    /** Working directory of the workers. Default: this JVM's. */
    public LocalLauncher workingDir(Path dir) {
        this.workingDir = Objects.requireNonNull(dir, "dir");
        return this;
    }

    public int worldSize() {
        return worldSize;
    }

    /**
     * Starts the workers, waits for all of them (or the timeout) and returns their results.
     *
     * @param mainClass a class with {@code public static void main(String[])} on this JVM's class path
     * @throws UncheckedIOException if a worker cannot be started (the others are killed)
     */
    public Result launch(Class<?> mainClass, String... args) {
        Objects.requireNonNull(mainClass, "mainClass");
        return launch(mainClass.getName(), args);
    }

    /** As {@link #launch(Class, String...)}, naming the main class. */
    public Result launch(String mainClass, String... args) {
        Objects.requireNonNull(mainClass, "mainClass");
        int port = freePort();
        long t0 = System.nanoTime();
        List<Process> procs = new ArrayList<>(worldSize);
        List<OutputPump> pumps = new ArrayList<>(worldSize);
        try {
            for (int rank = 0; rank < worldSize; rank++) {
                ProcessBuilder pb = new ProcessBuilder(command(mainClass, args)).redirectErrorStream(true);
                if (workingDir != null) pb.directory(workingDir.toFile());
                Map<String, String> e = pb.environment();
                e.putIfAbsent("OMP_NUM_THREADS", "1");
                e.putAll(env);
                e.put("RANK", Integer.toString(rank));
                e.put("LOCAL_RANK", Integer.toString(rank));
                e.put("WORLD_SIZE", Integer.toString(worldSize));
                e.put("LOCAL_WORLD_SIZE", Integer.toString(worldSize));
                e.put("MASTER_ADDR", "127.0.0.1");
                e.put("MASTER_PORT", Integer.toString(port));
                Process p = pb.start();
                procs.add(p);
                OutputPump pump = new OutputPump(rank, p, echo ? System.out : null);
                pumps.add(pump);
                pump.start();
            }
        } catch (IOException e) {
            for (Process p : procs) kill(p);
            throw new UncheckedIOException("could not start worker " + procs.size() + " of " + worldSize, e);
        }
        long deadline = t0 + timeout.toNanos();
        boolean[] killed = new boolean[worldSize];
        try {
            for (int rank = 0; rank < worldSize; rank++) {
                long left = deadline - System.nanoTime();
                if (!procs.get(rank).waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                    for (int r = 0; r < worldSize; r++) {
                        if (procs.get(r).isAlive()) {
                            killed[r] = true;
                            kill(procs.get(r));
                        }
                    }
                    break;
                }
            }
            List<Worker> workers = new ArrayList<>(worldSize);
            for (int rank = 0; rank < worldSize; rank++) {
                Process p = procs.get(rank);
                p.waitFor();
                pumps.get(rank).join(10_000);
                workers.add(new Worker(rank, p.exitValue(), pumps.get(rank).text(), killed[rank]));
            }
            return new Result(workers, Duration.ofNanos(System.nanoTime() - t0), port);
        } catch (InterruptedException e) {
            for (Process p : procs) kill(p);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for workers; all were killed", e);
        }
    }

    private List<String> command(String mainClass, String[] args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        for (String name : System.getProperties().stringPropertyNames())
            if (name.startsWith("org.bytedeco.")) cmd.add("-D" + name + "=" + System.getProperty(name));
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /**
     * The class path the workers need: the JVM's own plus the entries of any URL class loaders above the
     * caller's (tools such as Maven's exec:java load the application through one, leaving java.class.path
     * pointing at the tool).
     */
    static String classPath() {
        java.util.LinkedHashSet<String> entries = new java.util.LinkedHashSet<>();
        for (ClassLoader cl = Thread.currentThread().getContextClassLoader(); cl != null; cl = cl.getParent()) {
            if (!(cl instanceof java.net.URLClassLoader u)) continue;
            for (java.net.URL url : u.getURLs()) {
                try {
                    if ("file".equals(url.getProtocol())) entries.add(java.nio.file.Path.of(url.toURI()).toString());
                } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                    // not a plain file entry: the workers cannot use it either
                }
            }
        }
        for (String e : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator))
            if (!e.isEmpty()) entries.add(e);
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** A port that was free on the loopback interface a moment ago (the store's server binds it next). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Reads one worker's merged output, keeping the tail. */
    private static final class OutputPump extends Thread {
        private final Process process;
        private final PrintStream echo;
        private final String prefix;
        private final StringBuilder text = new StringBuilder();

        OutputPump(int rank, Process process, PrintStream echo) {
            super("torch4j-launcher-output-" + rank);
            setDaemon(true);
            this.process = process;
            this.echo = echo;
            this.prefix = "[rank " + rank + "] ";
        }

        @Override
        public void run() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (echo != null) echo.println(prefix + line);
                    synchronized (text) {
                        text.append(line).append('\n');
                        if (text.length() > 2 * OUTPUT_LIMIT) text.delete(0, text.length() - OUTPUT_LIMIT);
                    }
                }
            } catch (IOException ignored) {
                // The worker was killed: its pipe closed.
            }
        }

        String text() {
            synchronized (text) {
                int from = Math.max(0, text.length() - OUTPUT_LIMIT);
                return text.substring(from);
            }
        }
    }

    /**
     * One worker's outcome.
     *
     * @param exitCode the process exit code (non-zero when killed)
     * @param output   its stdout and stderr, merged (the last MiB)
     * @param killed   whether the launcher killed it at the timeout
     */
    public record Worker(int rank, int exitCode, String output, boolean killed) {
        public boolean succeeded() {
            return exitCode == 0 && !killed;
        }
    }

    /** The outcome of all workers, by rank. */
    public static final class Result {
        private final List<Worker> workers;
        private final Duration elapsed;
        private final int masterPort;

        Result(List<Worker> workers, Duration elapsed, int masterPort) {
            this.workers = List.copyOf(workers);
            this.elapsed = elapsed;
            this.masterPort = masterPort;
        }

        public List<Worker> workers() {
            return workers;
        }

        public Worker worker(int rank) {
            return workers.get(rank);
        }

        /** True when every worker exited with code 0. */
        public boolean succeeded() {
            return workers.stream().allMatch(Worker::succeeded);
        }

        /** True when the launcher had to kill a worker at the timeout. */
        public boolean timedOut() {
            return workers.stream().anyMatch(Worker::killed);
        }

        public Duration elapsed() {
            return elapsed;
        }

        public int masterPort() {
            return masterPort;
        }

        /** One line per worker: rank, exit code, killed. */
        public String summary() {
            StringBuilder b = new StringBuilder();
            for (Worker w : workers)
                b.append("rank ").append(w.rank()).append(": exit ").append(w.exitCode()).append(w.killed() ? " (killed at timeout)" : "")
                        .append('\n');
            return b.toString();
        }

        /**
         * Throws {@link IllegalStateException} with the summary and the failed workers' output unless all
         * succeeded.
         */
        public void throwIfFailed() {
            if (succeeded()) return;
            StringBuilder b = new StringBuilder("workers failed after ").append(elapsed.toMillis()).append(" ms:\n").append(summary());
            for (Worker w : workers) {
                if (w.succeeded()) continue;
                String out = w.output();
                if (out.length() > 4000) out = "..." + out.substring(out.length() - 4000);
                b.append("--- rank ").append(w.rank()).append(" output ---\n").append(out);
            }
            throw new IllegalStateException(b.toString());
        }

        @Override
        public String toString() {
            return "LocalLauncher.Result(" + (succeeded() ? "succeeded" : "failed") + ", " + elapsed.toMillis() + " ms)\n" + summary();
        }
    }
}
