package io.kingfisher.jobs;

import io.kingfisher.schemas.wire.WireFormatException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes raw Kafka records one by one; a record that cannot be decoded or used goes to the dead-letter side output
 * with the kind of failure, the reason and its bytes, and the job goes on. An unreachable registry fails the task
 * instead: that is not the record's fault, and dead-lettering would lose a good record.
 *
 * @param <O> what the next operator takes
 */
public abstract class DecodingFunction<O> extends ProcessFunction<RawRecord, O> {
    private static final long serialVersionUID = 1L;

    private final String stage;
    private transient Counter rejected;

    /** @param stage the stage named in dead letters, e.g. {@code decode-label} */
    protected DecodingFunction(String stage) {
        this.stage = stage;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        rejected = getRuntimeContext().getMetricGroup().counter("recordsRejected");
    }

    /**
     * @param r a record with a value (tombstones are dead-lettered before this is called)
     * @return what to pass on, or null to skip the record silently (e.g. another domain's)
     * @throws WireFormatException      if the bytes are not a decodable record
     * @throws IllegalArgumentException if the record is not usable; the message becomes the dead letter's reason
     */
    protected abstract O decode(RawRecord r);

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<O> out) {
        String kind;
        String error;
        try {
            if (r.value == null) {
                throw new WireFormatException(WireFormatException.Kind.TOO_SHORT, "record has no value (tombstone)");
            }
            O decoded = decode(r);
            if (decoded != null) {
                out.collect(decoded);
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
