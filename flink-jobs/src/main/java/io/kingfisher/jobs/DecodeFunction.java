package io.kingfisher.jobs;

import io.kingfisher.domain.Domain;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.InvalidInputException;
import io.kingfisher.features.avro.AvroInputBinding;
import io.kingfisher.schemas.core.DeadLetter;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import io.kingfisher.schemas.wire.WireFormatException;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes Confluent-framed Avro with the domain's event schema as the reader schema (so evolved writers
 * resolve), validates it and reduces it to an {@link InputEvent}. Anything that fails goes to the dead-letter
 * side output with the kind of failure, the reason and the raw bytes; the job keeps going.
 */
public class DecodeFunction extends ProcessFunction<RawRecord, InputEvent> {
    private static final long serialVersionUID = 1L;

    private final Domain domain;
    private final String registryUrl;

    private transient AvroWireDeserializer<GenericRecord> deserializer;
    private transient AvroInputBinding binding;
    private transient Counter decoded;
    private transient Counter rejected;

    public DecodeFunction(Domain domain, String registryUrl) {
        this.domain = domain;
        this.registryUrl = registryUrl;
    }

    @Override
    public void open(OpenContext ctx) {
        deserializer = AvroWireDeserializer.generic(new RestSchemaRegistryClient(registryUrl), domain.eventSchema());
        binding = domain.inputBinding();
        decoded = getRuntimeContext().getMetricGroup().counter("eventsDecoded");
        rejected = getRuntimeContext().getMetricGroup().counter("eventsRejected");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<InputEvent> out) {
        DeadLetter dead;
        try {
            if (r.value == null) {
                throw new WireFormatException(WireFormatException.Kind.TOO_SHORT, "record has no value (tombstone)");
            }
            GenericRecord rec = deserializer.deserialize(r.topic, r.value);
            InputEvent e = binding.extract(rec, r.timestamp);
            e.partition = r.partition;
            e.offset = r.offset;
            decoded.inc();
            out.collect(e);
            return;
        } catch (WireFormatException ex) {
            if (ex.kind() == WireFormatException.Kind.REGISTRY_UNAVAILABLE) {
                throw ex; // not the record's fault: fail and restart from the checkpoint instead of dead-lettering
            }
            dead = DeadLetters.of(r, "decode", ex.kind().name(), ex.getMessage());
        } catch (InvalidInputException ex) {
            dead = DeadLetters.of(r, "validate", "INVALID_FIELD", ex.getMessage());
        } catch (RuntimeException ex) {
            dead = DeadLetters.of(r, "decode", "UNEXPECTED", ex.getClass().getSimpleName() + ": " + ex.getMessage());
        }
        rejected.inc();
        ctx.output(DeadLetters.TAG, dead);
    }
}
