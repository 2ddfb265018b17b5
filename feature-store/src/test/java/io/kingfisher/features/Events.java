package io.kingfisher.features;

/** Small event builders for the engine tests: one numeric input ({@code amount}) and one text input ({@code country}). */
final class Events {
    static final long M = 60_000L;
    static final long H = 3_600_000L;

    private Events() {
    }

    static InputEvent ev(String entity, long t, double amount, String country) {
        return new InputEvent(entity + "@" + t, entity, t, t, new double[]{amount}, new String[]{country});
    }

    static InputEvent ev(long t, double amount) {
        return ev("card-1", t, amount, "GB");
    }

    static InputEvent text(long t, String country) {
        return ev("card-1", t, 0.0, country);
    }
}
