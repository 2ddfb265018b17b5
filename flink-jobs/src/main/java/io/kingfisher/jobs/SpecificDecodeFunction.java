package io.kingfisher.jobs;

import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import io.kingfisher.schemas.wire.WireFormatException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes records of one of Kingfisher's own topics (scores, examples) into their Avro class and converts them
 * for the next operator. A record that cannot be decoded or converted goes to the dead-letter side output with the
 * reason and the raw bytes; an unreachable registry fails the task instead (not the record's fault).
 *
 * @param <T> the Avro record class of the topic
 * @param <O> what the next operator takes
 */
public abstract class SpecificDecodeFunction<T extends SpecificRecord, O> extends ProcessFunction<RawRecord, O> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final String registryUrl;
    private final String stage;
    private transient AvroWireDeserializer<T> deserializer;
    private transient Counter rejected;

    protected SpecificDecodeFunction(Class<T> type, String registryUrl, String stage) {
        this.type = type;
        this.registryUrl = registryUrl;
        this.stage = stage;
    }

    @Override
    public void open(OpenContext ctx) {
        deserializer = new AvroWireDeserializer<>(new RestSchemaRegistryClient(registryUrl), type);
        rejected = getRuntimeContext().getMetricGroup().counter("recordsRejected");
    }

    /**
     * @return what to pass on, or null to skip the record silently (e.g. another domain's)
     * @throws IllegalArgumentException if the record is not usable; it goes to the dead-letter topic with the message
     */
    protected abstract O convert(T record, RawRecord raw);

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<O> out) {
        String kind;
        String error;
        try {
            if (r.value == null) {
                throw new WireFormatException(WireFormatException.Kind.TOO_SHORT, "record has no value (tombstone)");
            }
            O converted = convert(deserializer.deserialize(r.topic, r.value), r);
            if (converted != null) {
                out.collect(converted);
            }
            return;
        } catch (WireFormatException ex) {
            if (ex.kind() == WireFormatException.Kind.REGISTRY_UNAVAILABLE) {
                throw ex;
            }
            kind = ex.kind().name();
            error = ex.getMessage();
        } catch (IllegalArgumentException ex) {
            kind = "INVALID_FIELD";
            error = ex.getMessage();
        } catch (RuntimeException ex) {
            kind = "UNEXPECTED";
            error = ex.getClass().getSimpleName() + ": " + ex.getMessage();
        }
        rejected.inc();
        ctx.output(DeadLetters.TAG, DeadLetters.of(r, stage, kind, error));
    }
}
