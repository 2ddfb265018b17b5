package io.kingfisher.feedback;

/**
 * A label the join keeps until {@code labelTime + window}: to label scores that arrive after it (labels can
 * overtake scores), to recognise its replays, and to report it if it was never used. A Flink POJO.
 */
public class HeldLabel {
    /** What became of the label so far. */
    public enum Status {
        /** It labelled nothing yet and was not reported. */
        WAITING,
        /** It settled or corrected at least one score. */
        USED,
        /** It arrived for scores already settled and changed nothing: it went to the side output. */
        REPORTED
    }

    public LabelEvent label;
    public Status status;
    /** It applied to a score that an earlier label had settled (reported as superseded rather than unmatched). */
    public boolean superseded;

    public HeldLabel() {
    }

    HeldLabel(LabelEvent label, Status status) {
        this.label = label;
        this.status = status;
    }

    /** @return the key a label is held and deduplicated under within its join key: its time and value */
    public static String idOf(LabelEvent label) {
        return label.labelTime + (label.positive ? "+" : "-");
    }

    public String id() {
        return idOf(label);
    }

    /** @return a copy sharing the (never modified) label */
    public HeldLabel copy() {
        HeldLabel h = new HeldLabel(label, status);
        h.superseded = superseded;
        return h;
    }

    @Override
    public String toString() {
        return "HeldLabel{" + label + ", " + status + (superseded ? ", superseded" : "") + "}";
    }
}
