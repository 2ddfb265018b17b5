package io.kingfisher.cli;

import io.kingfisher.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kingfisher} command. */
@Command(name = "kingfisher", mixinStandardHelpOptions = true, version = "kingfisher 0.1.0",
        description = "Streaming online learning on Kafka, Flink and DL4J.",
        subcommands = {LocalCommand.class, DemoCommand.class, ReplayCommand.class, BenchCommand.class, GenerateCommand.class, TrainOfflineCommand.class, ModelsCommand.class, CommandLine.HelpCommand.class})
public final class Kingfisher implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Exit code of a command that needs a usable GPU and has none ({@code bench scoring --backend cuda}). */
    public static final int NO_GPU = 4;

    public static void main(String[] args) {
        System.exit(run(args, new java.io.PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns its exit code: 0 ok, 2 bad usage or configuration, 3 demo checks failed, 4 no usable GPU. */
    public static int run(String[] args, java.io.PrintWriter err) {
        return execute(new Kingfisher(), args, err);
    }

    /** Runs a command (the whole CLI, or one command tree on its own) with the CLI's error handling and exit codes. */
    static int execute(Object command, String[] args, java.io.PrintWriter err) {
        CommandLine cl = new CommandLine(command);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable root = ex;
            while (!(root instanceof ConfigException) && !(root instanceof IllegalArgumentException) && root.getCause() != null) {
                root = root.getCause();
            }
            if (root instanceof IllegalArgumentException) {
                cmd.getErr().println("kingfisher: " + root.getMessage());
                return 2;
            }
            cmd.getErr().println("kingfisher: " + ex);
            ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl.execute(args);
    }
}
