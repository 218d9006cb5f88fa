package fff.node;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fff} command: one node of FileFlowFaster. */
@Command(name = "fff", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "FileFlowFaster: moves files between sites, verified, resumable.",
        subcommands = {InitCommand.class, IdCommand.class, ReceiveCommand.class, SendCommand.class,
                ConvertCommand.class, RunCommand.class, QueueCommands.Status.class, QueueCommands.Jobs.class, QueueCommands.Cancel.class,
                QueueCommands.Retry.class, QueueCommands.Move.class, QueueCommands.Limit.class,
                DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("fff: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return 2;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
