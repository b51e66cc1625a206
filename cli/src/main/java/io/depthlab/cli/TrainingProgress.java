package io.depthlab.cli;

import io.depthlab.trainer.run.RunFolder;
import io.depthlab.trainer.training.EpochRecord;
import io.depthlab.trainer.training.GradientFlow;
import io.depthlab.trainer.training.TrainingListener;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Draws a progress bar while an epoch trains and rewrites the run's {@code summary.csv} and {@code
 * gradient_flow.csv} after every epoch, so an interrupted run keeps the figures and the study's
 * gradient-flow record of the epochs it finished. The trainer logs the epoch line itself.
 */
final class TrainingProgress implements TrainingListener {

    private final RunFolder run;
    private final PrintStream console;
    private final List<EpochRecord> epochs = new ArrayList<>();
    private final boolean interactive = System.console() != null;
    private ProgressBar bar;
    private int batches;

    TrainingProgress(RunFolder run, PrintStream console) {
        this.run = run;
        this.console = console;
    }

    @Override
    public void onEpochStart(int epoch, int batches) {
        this.batches = batches;
        if (!interactive) {
            // In a log file or a pipe a redrawn bar is noise; the epoch lines say enough.
            return;
        }
        bar =
                new ProgressBarBuilder()
                        .setTaskName("epoch " + epoch)
                        .setInitialMax(batches)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUnit(" batches", 1)
                        .setUpdateIntervalMillis(250)
                        .setConsumer(new ConsoleProgressBarConsumer(console))
                        .build();
    }

    @Override
    public void onBatch(int epoch, int batchIndex, double loss) {
        if (bar == null) {
            return;
        }
        bar.stepTo(batchIndex + 1);
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.3f", loss));
        if (batchIndex + 1 == batches) {
            // Validation runs next; the trainer's epoch line follows it.
            closeBar();
        }
    }

    @Override
    public void onEpochEnd(EpochRecord record) {
        closeBar();
        epochs.add(record);
        try {
            run.writeEpochs(epochs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void onGradientFlow(GradientFlow soFar) {
        try {
            run.writeGradientFlow(soFar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
