package io.kingfisher.feedback;

/**
 * A label that labelled no score, with why: the payload of the join's side output, meant for the dead-letter
 * topic or a log. A Flink POJO.
 */
public class DroppedLabel {
    /** Why a label was dropped. */
    public enum Kind {
        /** Every score it labels was already settled when it came (its window had closed), and nothing was corrected. */
        LATE,
        /** The scores it labels had been settled by an earlier label. */
        SUPERSEDED,
        /** No score it labels arrived before it expired ({@code labelTime + window}). */
        UNMATCHED
    }

    public LabelEvent label;
    public Kind kind;
    /** Human-readable reason, naming the event or entity and the times. */
    public String reason;

    public DroppedLabel() {
    }

    public DroppedLabel(LabelEvent label, Kind kind, String reason) {
        this.label = label;
        this.kind = kind;
        this.reason = reason;
    }

    @Override
    public String toString() {
        return "DroppedLabel{" + kind + ", " + reason + ", " + label + "}";
    }
}
