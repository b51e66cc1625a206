package io.depthlab.cli;

import io.depthlab.trainer.data.DatasetFetcher;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code depthlab data fetch NAME [DIR]}: downloads and verifies an official data set. */
@Command(
        name = "data",
        mixinStandardHelpOptions = true,
        description = "Manage data sets.",
        subcommands = DataCommand.Fetch.class)
final class DataCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "expected a subcommand, e.g. depthlab data fetch cifar100");
    }

    @Command(
            name = "fetch",
            mixinStandardHelpOptions = true,
            description = {
                "Download a data set from its official site, check every file against its"
                        + " published checksum and unpack it. An interrupted download resumes;"
                        + " a file whose checksum differs is deleted and refused."
            })
    static final class Fetch implements Callable<Integer> {

        @Spec CommandSpec spec;

        @Parameters(
                index = "0",
                paramLabel = "NAME",
                description = "cifar100, cifar100-python, emnist or fashion-mnist.")
        String name;

        @Parameters(
                index = "1",
                arity = "0..1",
                paramLabel = "DIR",
                defaultValue = "datasets",
                description = "Where to put the files (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(
                names = "--mirror",
                paramLabel = "URL",
                description = "Fetch every file from URL/<file name> instead of its official site.")
        URI mirror;

        @Override
        public Integer call() throws Exception {
            DatasetFetcher.Source source = DatasetFetcher.Source.fromCliName(name);
            Path folder;
            try (DownloadProgress progress = new DownloadProgress()) {
                folder = new DatasetFetcher(mirror, progress).fetch(source, dir);
            }
            spec.commandLine().getOut().printf("%s is ready in %s%n", name, folder);
            return 0;
        }
    }

    /** One progress bar per file, in bytes. */
    private static final class DownloadProgress
            implements DatasetFetcher.ProgressListener, AutoCloseable {
        private ProgressBar bar;
        private String file;

        @Override
        public void progress(String fileName, long bytesDone, long bytesTotal) {
            if (!fileName.equals(file)) {
                close();
                file = fileName;
                bar =
                        new ProgressBarBuilder()
                                .setTaskName(fileName)
                                .setInitialMax(bytesTotal)
                                .setStyle(ProgressBarStyle.ASCII)
                                .setUnit(" MB", 1 << 20)
                                .setConsumer(
                                        new me.tongfei.progressbar.ConsoleProgressBarConsumer(
                                                System.err))
                                .build();
            }
            bar.stepTo(bytesDone);
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
