package io.kingfisher.sim;

import java.io.Serializable;
import io.kingfisher.config.Setting;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * When the world a simulator describes changes. Each drift point introduces a new regime of the domain's hidden
 * process (a new fraud pattern, a shift in taste, a new ward population): abruptly at its time, or gradually,
 * taking over linearly during its ramp. Times are simulated time since the simulation's start.
 *
 * <h2>Spec grammar</h2>
 * <pre>
 * spec     = "default" | "none" | point { "," point }
 * point    = "abrupt@" duration | "gradual@" duration "+" duration
 * duration = number unit          e.g. 90s, 30m, 1.5h, 3d
 * unit     = "ms" | "s" | "m" | "min" | "h" | "d"
 * </pre>
 * {@code default} is the domain's built-in schedule; {@code none} turns drift off; points are listed in time order
 * (strictly increasing start times), at most {@value #MAX_POINTS}. In {@code gradual@2h+1h} the new regime starts
 * taking over 2 h after the start and has taken over fully at 3 h. Keywords are case-insensitive; blanks around
 * commas are ignored. Example: {@code abrupt@30m,gradual@2h+1h}.
 *
 * <h2>Regimes</h2>
 * With weights {@code w_k(t)} in {@code [0, 1]} (0 before point {@code k}, 1 once it has taken over), the share of
 * regime {@code k} at time {@code t} is {@code w_k * prod_{j > k}(1 - w_j)}, and of the original regime
 * {@code prod_j(1 - w_j)}: each point takes over its share of whatever came before. Shares sum to 1.
 */
public final class DriftSchedule implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Most drift points a schedule may have. */
    public static final int MAX_POINTS = 16;

    private static final DriftSchedule NONE = new DriftSchedule(List.of());

    private final List<Point> points;

    /** How a drift point arrives. */
    public enum Kind { ABRUPT, GRADUAL }

    /**
     * One drift point.
     *
     * @param kind abrupt or gradual
     * @param at   simulated time after the start when it begins
     * @param ramp how long a gradual drift takes to complete; {@link Duration#ZERO} for an abrupt one
     */
    public record Point(Kind kind, Duration at, Duration ramp) implements Serializable {
        public Point {
            Objects.requireNonNull(kind, "kind");
            if (at == null || at.isNegative()) {
                throw new IllegalArgumentException("a drift point's time must be zero or positive, was " + at);
            }
            if (kind == Kind.ABRUPT && ramp != null && !ramp.isZero()) {
                throw new IllegalArgumentException("an abrupt drift takes no ramp, had " + ramp);
            }
            if (kind == Kind.GRADUAL && (ramp == null || ramp.isNegative() || ramp.isZero())) {
                throw new IllegalArgumentException("a gradual drift needs a positive ramp, had " + ramp);
            }
            ramp = kind == Kind.ABRUPT ? Duration.ZERO : ramp;
        }

        /** How far this point has taken over, in {@code [0, 1]}, {@code sinceStartMs} after the start. */
        public double weight(long sinceStartMs) {
            long from = at.toMillis();
            if (sinceStartMs < from) {
                return 0.0;
            }
            if (kind == Kind.ABRUPT) {
                return 1.0;
            }
            return Math.min(1.0, (sinceStartMs - from) / (double) ramp.toMillis());
        }

        /** @return the time the new regime has fully taken over, since the start */
        public Duration end() {
            return at.plus(ramp);
        }

        @Override
        public String toString() {
            return kind == Kind.ABRUPT ? "abrupt@" + format(at) : "gradual@" + format(at) + "+" + format(ramp);
        }
    }

    private DriftSchedule(List<Point> points) {
        this.points = List.copyOf(points);
    }

    /** @return no drift: one regime forever */
    public static DriftSchedule none() {
        return NONE;
    }

    /**
     * @param points in strictly increasing order of start time
     * @return the schedule
     * @throws IllegalArgumentException naming the point out of order, or when there are too many
     */
    public static DriftSchedule of(List<Point> points) {
        if (points.size() > MAX_POINTS) {
            throw new IllegalArgumentException("at most " + MAX_POINTS + " drift points, had " + points.size());
        }
        for (int i = 1; i < points.size(); i++) {
            if (points.get(i).at().compareTo(points.get(i - 1).at()) <= 0) {
                throw new IllegalArgumentException("drift points must be in time order: '" + points.get(i) + "' does not start after '"
                        + points.get(i - 1) + "'");
            }
        }
        return points.isEmpty() ? NONE : new DriftSchedule(points);
    }

    /**
     * Parses a spec without {@code default} (e.g. a domain's own built-in schedule).
     *
     * @throws IllegalArgumentException naming the problem and the point it is in
     */
    public static DriftSchedule parse(String spec) {
        return parse(spec, null);
    }

    /**
     * Parses a spec (grammar in the class comment).
     *
     * @param builtIn what {@code default} means, or null where {@code default} is not allowed
     * @throws IllegalArgumentException naming the problem and the point it is in
     */
    public static DriftSchedule parse(String spec, DriftSchedule builtIn) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("drift spec is empty; use default, none, or points like abrupt@30m,gradual@2h+1h");
        }
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("default")) {
            if (builtIn == null) {
                throw new IllegalArgumentException("drift spec 'default' is not allowed here; name the points or use none");
            }
            return builtIn;
        }
        if (s.equals("none")) {
            return NONE;
        }
        String[] parts = s.split(",", -1);
        List<Point> points = new ArrayList<>(parts.length);
        for (String raw : parts) {
            String p = raw.trim();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("drift spec '" + spec.trim() + "' has an empty point (a stray comma?)");
            }
            if (p.equals("none") || p.equals("default")) {
                throw new IllegalArgumentException("drift spec '" + spec.trim() + "': '" + p + "' must stand alone");
            }
            points.add(point(p));
        }
        return of(points);
    }

    private static Point point(String p) {
        int atSign = p.indexOf('@');
        if (atSign < 0) {
            throw new IllegalArgumentException("drift point '" + p + "': missing '@time', e.g. abrupt@30m or gradual@2h+1h");
        }
        String kindText = p.substring(0, atSign).trim();
        Kind kind = switch (kindText) {
            case "abrupt" -> Kind.ABRUPT;
            case "gradual" -> Kind.GRADUAL;
            default -> throw new IllegalArgumentException("drift point '" + p + "': unknown kind '" + kindText
                    + "'; expected abrupt or gradual");
        };
        String rest = p.substring(atSign + 1).trim();
        int plus = rest.indexOf('+');
        String atText = plus < 0 ? rest : rest.substring(0, plus).trim();
        Duration at = duration(p, "time", atText);
        if (kind == Kind.ABRUPT) {
            if (plus >= 0) {
                throw new IllegalArgumentException("drift point '" + p + "': an abrupt drift takes no ramp; use gradual@"
                        + atText + "+" + rest.substring(plus + 1).trim() + " for a gradual one");
            }
            return new Point(kind, at, Duration.ZERO);
        }
        if (plus < 0) {
            throw new IllegalArgumentException("drift point '" + p + "': a gradual drift needs a ramp, e.g. gradual@" + atText + "+1h");
        }
        Duration ramp = duration(p, "ramp", rest.substring(plus + 1).trim());
        if (ramp.isZero()) {
            throw new IllegalArgumentException("drift point '" + p + "': the ramp must be positive (use abrupt@" + atText
                    + " for a step)");
        }
        return new Point(kind, at, ramp);
    }

    /** Parses {@code number unit}; the message names the point and which part is wrong. */
    private static Duration duration(String point, String what, String text) {
        int i = 0;
        while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("drift point '" + point + "': bad " + what + " '" + text
                    + "'; expected a number and a unit (ms, s, m, h, d), e.g. 30m");
        }
        if (text.substring(i).isBlank()) {
            throw new IllegalArgumentException("drift point '" + point + "': " + what + " '" + text
                    + "' needs a unit (ms, s, m, h, d), e.g. " + text.substring(0, i) + "m");
        }
        try {
            return Setting.parseDuration(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("drift point '" + point + "': bad " + what + " '" + text + "': " + e.getMessage());
        }
    }

    /** @return the points, in time order */
    public List<Point> points() {
        return points;
    }

    /** @return the number of regimes: the original one plus one per point */
    public int regimes() {
        return points.size() + 1;
    }

    /** @return whether nothing ever changes */
    public boolean isNone() {
        return points.isEmpty();
    }

    /** @return the share of each regime {@code sinceStartMs} after the start (index 0: the original world) */
    public double[] shares(long sinceStartMs) {
        int n = points.size();
        double[] shares = new double[n + 1];
        double remaining = 1.0;
        for (int k = n; k >= 1; k--) {
            double w = points.get(k - 1).weight(sinceStartMs);
            shares[k] = w * remaining;
            remaining *= 1 - w;
        }
        shares[0] = remaining;
        return shares;
    }

    /**
     * @param sinceStartMs time since the start
     * @param u            a uniform draw in {@code [0, 1)}
     * @return a regime drawn by its share
     */
    public int sampleRegime(long sinceStartMs, double u) {
        if (points.isEmpty()) {
            return 0;
        }
        double[] shares = shares(sinceStartMs);
        double acc = 0;
        for (int k = shares.length - 1; k >= 1; k--) {
            acc += shares[k];
            if (u < acc) {
                return k;
            }
        }
        return 0;
    }

    /**
     * The regime of one member of a population that adopts changes one by one (a user whose taste moves, never back):
     * the member has adopted point {@code k} once its weight exceeds the member's own threshold for it.
     *
     * @param thresholds one uniform draw per point, fixed for the member
     * @return the latest adopted point's regime, 0 if none
     */
    public int adoptedRegime(long sinceStartMs, double[] thresholds) {
        for (int k = points.size(); k >= 1; k--) {
            if (points.get(k - 1).weight(sinceStartMs) > thresholds[k - 1]) {
                return k;
            }
        }
        return 0;
    }

    /** @return the spec that parses back to this schedule: {@code none} or the points */
    public String spec() {
        if (points.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>(points.size());
        points.forEach(p -> parts.add(p.toString()));
        return String.join(",", parts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DriftSchedule other && other.points.equals(points);
    }

    @Override
    public int hashCode() {
        return points.hashCode();
    }

    @Override
    public String toString() {
        return spec();
    }

    static String format(Duration d) {
        return Setting.format(d);
    }
}
