package io.kingfisher.scoring.flink;

import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.snapshot.Snapshots;
import io.kingfisher.scoring.store.FileSystemModelStore;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores each featured event with the model of one snapshot, loaded and verified (checksum, signature,
 * feature-spec hash) when the task opens; a snapshot that does not verify fails the job at start. Every score
 * carries the model version and the features exactly as scored.
 */
public class ScoreFunction extends RichMapFunction<FeaturedEvent, Score> {
    private static final long serialVersionUID = 1L;

    private final String domain;
    private final String featureSpecHash;
    private final ModelSnapshot snapshot;
    private final String modelStore;
    private final byte[] hmacKey;

    private transient Model model;
    private transient Counter scored;
    private transient volatile long version;

    public ScoreFunction(String domain, String featureSpecHash, ModelSnapshot snapshot, String modelStore, byte[] hmacKey) {
        this.domain = domain;
        this.featureSpecHash = featureSpecHash;
        this.snapshot = snapshot;
        this.modelStore = modelStore;
        this.hmacKey = hmacKey == null ? null : hmacKey.clone();
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        model = Snapshots.load(snapshot, new FileSystemModelStore(modelStore), hmacKey, featureSpecHash);
        version = model.version();
        scored = getRuntimeContext().getMetricGroup().counter("scores");
        getRuntimeContext().getMetricGroup().gauge("modelVersion", () -> version);
    }

    @Override
    public Score map(FeaturedEvent e) {
        double s = model.score(e.features);
        scored.inc();
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
                .setScoreTime(System.currentTimeMillis())
                .setScore(s)
                .setModelVersion(model.version())
                .setFeatureSpecHash(featureSpecHash)
                .setFeatures(features)
                .build();
    }

    @Override
    public void close() throws Exception {
        if (model != null) {
            model.close();
        }
    }
}
