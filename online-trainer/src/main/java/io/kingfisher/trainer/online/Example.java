package io.kingfisher.trainer.online;

import java.io.Serializable;

/**
 * One training example as the online learner sees it: the features exactly as they were scored, the label, and
 * what was served for it. Plain Java (no Avro), so the learner can be fed by a test as easily as by a job.
 *
 * @param features        the feature vector as scored
 * @param label           0 or 1
 * @param servedScore     the score the served model gave the event
 * @param servedVersion   the model version that served it
 * @param eventTime       the event's time, epoch ms
 * @param labelIngestTime when the label arrived (its Kafka timestamp), epoch ms; 0 for a label that never came
 *                        (a timeout or provisional negative)
 * @param labelSource     {@code label}, {@code timeout}, {@code provisional} or {@code correction}
 * @param partition       partition of the labels topic the settling label record was read from (-1 for a timeout,
 *                        a provisional negative, or a label not from Kafka)
 * @param offset          that label record's offset (-1 likewise)
 * @param entity          the entity the event was about (card, user, patient), or null if not known
 */
public record Example(float[] features, float label, double servedScore, long servedVersion, long eventTime,
                      long labelIngestTime, String labelSource, int partition, long offset, String entity)
        implements Serializable {
    public Example {
        if (features == null || features.length == 0) {
            throw new IllegalArgumentException("an example needs features");
        }
        if (label != 0f && label != 1f) {
            throw new IllegalArgumentException("label must be 0 or 1, was " + label);
        }
    }

    /** An example whose entity is not known. */
    public Example(float[] features, float label, double servedScore, long servedVersion, long eventTime,
                   long labelIngestTime, String labelSource, int partition, long offset) {
        this(features, label, servedScore, servedVersion, eventTime, labelIngestTime, labelSource, partition, offset, null);
    }

    /** @return whether the label came from a label record (so its arrival time measures model freshness) */
    public boolean fromLabelRecord() {
        return labelIngestTime > 0 && ("label".equals(labelSource) || "correction".equals(labelSource));
    }
}
