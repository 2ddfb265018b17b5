package io.kingfisher.cli;

/**
 * {@code kingfisher bench ...} on its own: the same commands, options and exit codes, without the rest of the CLI, so
 * that a small bundle (scripts/gpu-check.sh) needs only the classes the benchmarks load, e.g.
 * {@code java -cp ... io.kingfisher.cli.BenchMain scoring --backend cuda --json out.json}.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) {
        System.exit(Kingfisher.execute(new BenchCommand(), args, new java.io.PrintWriter(System.err, true)));
    }
}
