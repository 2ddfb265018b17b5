package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureEngine;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.OutputTag;

import java.time.Duration;

/**
 * Keyed by entity: reads the entity's state, computes the event's features as of just before it, folds the
 * event in and emits the {@link FeaturedEvent}. All arithmetic is in {@link FeatureEngine}; this class only
 * owns the state, one {@code double[]} per entity, stored with {@link CompactDoubleArraySerializer}.
 *
 * <p>Rejected events. An event later than the spec's allowed lateness (behind the entity's latest accepted
 * event) or with a non-finite number changes no state and gets no vector: it goes to the {@link #REJECTED} side
 * output with the reason, and is counted in the {@code featureLateEvents} / {@code featureInvalidEvents}
 * metrics. Route that side output to the dead-letter topic.
 *
 * <p>Related entities. A spec that looks up other entities ({@link io.kingfisher.features.RelatedEntity}) needs more
 * stages ({@link FeaturePipeline}): its first is this operator's twin, {@link PrimaryStageFunction}, which emits the
 * vector without the lookups, with what the related stages need; this one refuses such a spec.
 *
 * <p>Idle entities. The state expires {@code stateTtl} of processing time after the entity's last accepted
 * event (TTL on create and write, never returning expired values), so entities that go quiet do not leak: on the
 * heap backend expired entries are dropped incrementally as state is accessed, on RocksDB by the compaction
 * filter. An entity that returns after that starts from a fresh state. Flink's TTL deletes silently, so each entity
 * also has a processing-time timer at the end of its TTL (rounded up to a grain of a tenth of the TTL, at most an
 * hour; see {@link IdleExpiry}): when it fires on an entity idle for the TTL, the state is cleared, the entity's key
 * goes to the {@link #EXPIRED} side output and is counted in {@code featureExpiredEntities}. The scoring job turns
 * those keys into tombstones on {@code <domain>.features}, so the online lookup forgets the entity too.
 */
public class FeatureFunction extends EntityFeatureFunction<FeaturedEvent> {
    private static final long serialVersionUID = 3L;

    /** Events rejected by the engine (too late, or invalid), with the reason. */
    public static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("feature-rejected", TypeInformation.of(RejectedEvent.class));

    /** Keys of entities whose state was deleted after they were idle for the state TTL (see {@link IdleExpiry}). */
    public static final OutputTag<String> EXPIRED = new OutputTag<>("feature-expired", Types.STRING);

    /** Heap for the read cache of entity states by default, per subtask ({@link #cacheEntries}). */
    public static final long DEFAULT_STATE_CACHE_BYTES = 32L << 20;
    /** What a held entity costs besides its slots, roughly: the map's entry, the key and the array's header. */
    static final int CACHE_ENTRY_OVERHEAD_BYTES = 160;

    /**
     * @return how many entity states of {@code spec} fit in {@code cacheBytes} of heap (each its slots, the last-write
     *     slot and {@value #CACHE_ENTRY_OVERHEAD_BYTES} bytes for the map entry and key), at most {@link Integer#MAX_VALUE}
     * @throws IllegalArgumentException if {@code cacheBytes} is negative
     */
    public static int cacheEntries(FeatureSpec spec, long cacheBytes) {
        if (cacheBytes < 0) {
            throw new IllegalArgumentException("the state cache's size must be 0 (off) or more bytes, was " + cacheBytes);
        }
        long perEntry = 8L * (spec.stateSize() + 1) + CACHE_ENTRY_OVERHEAD_BYTES;
        return (int) Math.min(Integer.MAX_VALUE, cacheBytes / perEntry);
    }

    /** @throws IllegalArgumentException if the spec looks up related entities (see {@link FeaturePipeline}) */
    public FeatureFunction(FeatureSpec spec, Duration stateTtl) {
        this(spec, stateTtl, DEFAULT_STATE_CACHE_BYTES);
    }

    /**
     * @param cacheBytes heap for the read cache of entity states, per subtask; 0 for none (every event reads its
     *                   entity's state from the state backend)
     */
    public FeatureFunction(FeatureSpec spec, Duration stateTtl, long cacheBytes) {
        super(spec, stateTtl, cacheBytes);
        if (spec.hasRelated()) {
            throw new IllegalArgumentException(spec + " looks up related entities: its first stage is a PrimaryStageFunction "
                    + "(see FeaturePipeline)");
        }
    }

    /** Name of the keyed state, tied to the spec's hash so a changed spec never reads another layout. */
    public static String stateName(FeatureSpec spec) {
        return "features-" + (spec.entity() == null ? "" : spec.entity() + "-") + spec.hash().substring(0, 12);
    }

    /** The TTL of feature state: {@code ttl} after the entity's last write, never returning expired values. */
    static StateTtlConfig ttl(Duration ttl) {
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupIncrementally(10, false)
                .cleanupInRocksdbCompactFilter(1000)
                .build();
    }

    @Override
    FeaturedEvent emit(InputEvent e, float[] features) {
        return new FeaturedEvent(e, features);
    }
}
