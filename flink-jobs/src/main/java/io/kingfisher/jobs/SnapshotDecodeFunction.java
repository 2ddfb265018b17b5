package io.kingfisher.jobs;

import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import io.kingfisher.schemas.wire.WireFormatException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code model.snapshots} records (Confluent wire format, writer schema from the registry) and keeps the
 * snapshots of one domain. Decoding says nothing about trust: the scoring operator verifies every snapshot
 * before it uses it.
 *
 * <p>A record that cannot be decoded is counted ({@code snapshotsUndecodable}) and logged with its position,
 * and skipped: it never fails the job and never changes the model. Tombstones (a deleted key on the compacted
 * topic) and other domains' snapshots are skipped too. Only an unreachable registry fails the task, as in
 * {@link DecodeFunction}: that is not the record's fault, and skipping would lose a valid snapshot.
 */
public class SnapshotDecodeFunction extends ProcessFunction<RawRecord, ModelSnapshot> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotDecodeFunction.class);

    private final String domain;
    private final String registryUrl;

    private transient AvroWireDeserializer<ModelSnapshot> deserializer;
    private transient Counter undecodable;

    /**
     * @param domain      the domain whose snapshots are kept
     * @param registryUrl Confluent-compatible schema registry URL
     */
    public SnapshotDecodeFunction(String domain, String registryUrl) {
        this.domain = domain;
        this.registryUrl = registryUrl;
    }

    @Override
    public void open(OpenContext ctx) {
        deserializer = new AvroWireDeserializer<>(new RestSchemaRegistryClient(registryUrl), ModelSnapshot.class);
        undecodable = getRuntimeContext().getMetricGroup().counter("snapshotsUndecodable");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<ModelSnapshot> out) {
        if (r.value == null) {
            LOG.info("Tombstone on {} at {}:{} ignored: a deleted snapshot never changes the model", r.topic, r.partition,
                    r.offset);
            return;
        }
        ModelSnapshot s;
        try {
            s = deserializer.deserialize(r.topic, r.value);
        } catch (WireFormatException e) {
            if (e.kind() == WireFormatException.Kind.REGISTRY_UNAVAILABLE) {
                throw e;
            }
            skip(r, e.kind().name(), e.getMessage());
            return;
        } catch (RuntimeException e) {
            skip(r, "UNEXPECTED", e.toString());
            return;
        }
        if (domain.equals(s.getDomain())) {
            out.collect(s);
        } else {
            LOG.debug("Snapshot {} v{} at {}:{} is for another domain than {}", s.getDomain(), s.getVersion(), r.partition,
                    r.offset, domain);
        }
    }

    private void skip(RawRecord r, String kind, String why) {
        undecodable.inc();
        LOG.warn("Undecodable record on {} at {}:{} skipped ({}): {}", r.topic, r.partition, r.offset, kind, why);
    }
}
