package io.depthlab.trainer.data;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batches of one epoch, in order; made by {@link Batches#epoch(int)}.
 *
 * <p>With prefetch, one daemon thread makes the next batches while the caller trains on the current
 * one, holding at most the prefetch depth of finished batches. A failure while making a batch
 * reaches the caller at that batch's {@link #next()}, as an {@link IllegalStateException} whose
 * cause is the original failure. Without prefetch every batch is made inside {@code next()} on the
 * caller's thread, and failures are thrown as they are.
 *
 * <p>Always close the iterator (try-with-resources), also when leaving an epoch early: closing
 * stops and joins the background thread. Iterate from one thread; {@link #close()} may be called
 * from any thread and more than once.
 */
public final class BatchIterator implements Iterator<Batch>, AutoCloseable {

    /** Makes batch {@code index} of the epoch; called in increasing index order. */
    @FunctionalInterface
    interface Loader {
        Batch load(int index);
    }

    /** A failure of the background thread, queued in place of the batch it was making. */
    private record Failure(int index, Throwable cause) {}

    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(BatchIterator.class);

    private final int epoch;
    private final int batchCount;
    private final Loader loader;
    // Null without prefetch. Holds Batch or Failure items, in index order.
    private final BlockingQueue<Object> queue;
    private final Thread producer;
    // Only the iterating thread reads and writes this.
    private int next;
    // Written by close() on any thread, read by both threads.
    private volatile boolean closed;

    private BatchIterator(int epoch, int batchCount, Loader loader, int prefetch) {
        this.epoch = epoch;
        this.batchCount = batchCount;
        this.loader = loader;
        if (prefetch == 0 || batchCount == 0) {
            this.queue = null;
            this.producer = null;
        } else {
            this.queue = new ArrayBlockingQueue<>(prefetch);
            this.producer = new Thread(this::produce, "depthlab-batches-epoch-" + epoch);
            this.producer.setDaemon(true);
        }
    }

    /**
     * Creates an iterator over {@code batchCount} batches and, with {@code prefetch > 0}, starts
     * its background thread.
     */
    static BatchIterator start(int epoch, int batchCount, Loader loader, int prefetch) {
        Objects.requireNonNull(loader, "loader");
        if (batchCount < 0 || prefetch < 0) {
            throw new IllegalArgumentException(
                    "expected a non-negative batch count and prefetch, found "
                            + batchCount
                            + " and "
                            + prefetch);
        }
        BatchIterator iterator = new BatchIterator(epoch, batchCount, loader, prefetch);
        if (iterator.producer != null) {
            iterator.producer.start();
        }
        return iterator;
    }

    private void produce() {
        try {
            for (int index = 0; index < batchCount && !closed; index++) {
                Object item;
                try {
                    item = loader.load(index);
                } catch (RuntimeException | Error e) {
                    // Hand the failure to the consumer, who decides; this thread stops here.
                    queue.put(new Failure(index, e));
                    return;
                }
                queue.put(item);
            }
        } catch (InterruptedException e) {
            // close() interrupts a producer blocked on a full queue; nothing is left to do.
            Thread.currentThread().interrupt();
        }
    }

    /** The epoch these batches belong to, counted from 0. */
    public int epoch() {
        return epoch;
    }

    /** The number of batches in the epoch. */
    public int batchCount() {
        return batchCount;
    }

    /** Whether another batch remains; false once closed. */
    @Override
    public boolean hasNext() {
        return !closed && next < batchCount;
    }

    /**
     * The next batch, waiting for the background thread if it is not ready.
     *
     * @throws NoSuchElementException after the last batch
     * @throws IllegalStateException if the iterator was closed, the waiting thread was interrupted,
     *     or making the batch failed in the background (the failure is the cause)
     */
    @Override
    public Batch next() {
        if (closed) {
            throw new IllegalStateException("epoch " + epoch + ": the batch iterator is closed");
        }
        if (next >= batchCount) {
            throw new NoSuchElementException(
                    "epoch " + epoch + ": all " + batchCount + " batches were taken");
        }
        Batch batch = queue == null ? loader.load(next) : takeFromQueue();
        next++;
        return batch;
    }

    private Batch takeFromQueue() {
        Object item;
        try {
            item = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "epoch " + epoch + ": interrupted while waiting for batch " + next, e);
        }
        if (item instanceof Failure failure) {
            close();
            throw new IllegalStateException(
                    "epoch " + epoch + ", batch " + failure.index() + ": making the batch failed",
                    failure.cause());
        }
        return (Batch) item;
    }

    /**
     * Stops the background thread and waits for it to end (at most 10 seconds); idempotent. Batches
     * not yet taken are dropped.
     */
    @Override
    public void close() {
        closed = true;
        if (producer == null || !producer.isAlive()) {
            return;
        }
        producer.interrupt();
        try {
            producer.join(JOIN_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (producer.isAlive()) {
            log.warn(
                    "Batch thread of epoch {} did not stop within {}; it is a daemon and will"
                            + " not keep the JVM alive",
                    epoch,
                    JOIN_TIMEOUT);
        }
    }

    /** Whether the background thread is still running; for tests. */
    boolean producerAlive() {
        return producer != null && producer.isAlive();
    }
}
