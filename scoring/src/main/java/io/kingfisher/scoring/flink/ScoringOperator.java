package io.kingfisher.scoring.flink;

import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.Nd4jThreads;
import io.kingfisher.scoring.snapshot.Snapshots;
import io.kingfisher.scoring.store.FileSystemModelStore;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * Scores featured events in micro-batches: up to {@code maxBatch} events or {@code maxDelayMs} after the
 * first event of a batch, whichever comes first, in one {@link Model#scoreBatch} call. The model comes from
 * one snapshot, verified (checksum, signature, feature-spec hash, shape) when the task opens; a snapshot that
 * fails verification fails the job at start. The open batch is flushed before every checkpoint barrier and at
 * end of input, so no event is held across a checkpoint and the operator needs no state. Every score carries
 * the model version and the features exactly as scored.
 */
public class ScoringOperator extends AbstractStreamOperator<Score>
        implements OneInputStreamOperator<FeaturedEvent, Score>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;

    private final String domain;
    private final String featureSpecHash;
    private final ModelSnapshot snapshot;
    private final String modelStore;
    private final byte[] hmacKey;
    private final int maxBatch;
    private final long maxDelayMs;

    private transient Model model;
    private transient FeaturedEvent[] pending;
    private transient int size;
    private transient float[] input;
    private transient double[] scores;
    private transient ScheduledFuture<?> timer;
    private transient Counter scored;
    private transient Histogram batchSizes;
    private transient volatile long version;

    /**
     * @param maxBatch   most events per model call (1 = score each event on its own)
     * @param maxDelayMs longest an event waits for its batch to fill; 0 = never wait
     */
    public ScoringOperator(String domain, String featureSpecHash, ModelSnapshot snapshot, String modelStore, byte[] hmacKey,
                           int maxBatch, long maxDelayMs) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("scoring.batch_size must be >= 1, was " + maxBatch);
        }
        if (maxDelayMs < 0) {
            throw new IllegalArgumentException("scoring.batch_timeout must be >= 0, was " + maxDelayMs + "ms");
        }
        this.domain = domain;
        this.featureSpecHash = featureSpecHash;
        this.snapshot = snapshot;
        this.modelStore = modelStore;
        this.hmacKey = hmacKey == null ? null : hmacKey.clone();
        this.maxBatch = maxBatch;
        this.maxDelayMs = maxDelayMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        Nd4jThreads.configure(1); // each slot has its own thread; intra-op threads only contend on small batches
        model = Snapshots.load(snapshot, new FileSystemModelStore(modelStore), hmacKey, featureSpecHash, maxBatch);
        version = model.version();
        pending = new FeaturedEvent[maxBatch];
        input = new float[maxBatch * model.inputSize()];
        scores = new double[maxBatch];
        scored = getMetricGroup().counter("scores");
        batchSizes = getMetricGroup().histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
        getMetricGroup().gauge("modelVersion", () -> version);
    }

    @Override
    public void processElement(StreamRecord<FeaturedEvent> element) throws Exception {
        pending[size++] = element.getValue();
        if (size >= maxBatch || maxDelayMs == 0) {
            flush();
        } else if (size == 1) {
            timer = getProcessingTimeService().registerTimer(
                    getProcessingTimeService().getCurrentProcessingTime() + maxDelayMs, this);
        }
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        timer = null;
        flush();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (size == 0) {
            return;
        }
        int width = model.inputSize();
        for (int i = 0; i < size; i++) {
            System.arraycopy(pending[i].features, 0, input, i * width, width);
        }
        model.scoreBatch(input, size, scores);
        long now = System.currentTimeMillis();
        for (int i = 0; i < size; i++) {
            output.collect(new StreamRecord<>(toScore(pending[i], scores[i], now)));
            pending[i] = null;
        }
        scored.inc(size);
        batchSizes.update(size);
        size = 0;
    }

    private Score toScore(FeaturedEvent e, double s, long now) {
        List<Float> features = new ArrayList<>(e.features.length);
        for (float f : e.features) {
            features.add(f);
        }
        return Score.newBuilder()
                .setEventId(e.eventId)
                .setDomain(domain)
                .setEntity(e.entity)
                .setEventTime(e.eventTime)
                .setIngestTime(e.ingestTime)
                .setScoreTime(now)
                .setScore(s)
                .setModelVersion(version)
                .setFeatureSpecHash(featureSpecHash)
                .setFeatures(features)
                .build();
    }

    @Override
    public void close() throws Exception {
        if (model != null) {
            model.close();
        }
        super.close();
    }
}
