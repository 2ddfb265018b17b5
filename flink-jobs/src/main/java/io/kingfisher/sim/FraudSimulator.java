package io.kingfisher.sim;

import io.kingfisher.schemas.fraud.Channel;
import io.kingfisher.schemas.fraud.PaymentTransaction;

import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Card payments with a hidden fraud process. Genuine spending follows each card's habits (home country,
 * typical amount, preferred channels) with fewer payments at night. Now and then a card is compromised: a
 * fraudster makes a short burst of payments minutes apart, larger than the card's habit, mostly online or
 * by phone, often abroad and at risky merchant types, at any hour. About 0.3% of payments are fraud.
 * Everything is drawn from one seeded generator, so a seed gives the same stream.
 */
public final class FraudSimulator implements Simulator {
    /** Countries cards are issued in, and their weights. */
    private static final String[] COUNTRIES = {"GB", "FR", "DE", "ES", "IT", "NL", "IE", "US", "PL", "SE"};
    private static final double[] COUNTRY_W = {0.40, 0.12, 0.12, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.03};
    private static final String[] GENUINE_MCC = {"5411", "5812", "5541", "5732", "5311", "5999", "4111", "5912"};
    private static final double[] GENUINE_MCC_W = {0.30, 0.20, 0.12, 0.03, 0.12, 0.11, 0.07, 0.05};
    private static final double[] GENUINE_MCC_AMOUNT = {1.0, 0.8, 1.3, 4.0, 1.5, 1.0, 0.3, 0.6};
    private static final String[] FRAUD_MCC = {"5732", "4829", "5967", "7995", "5999", "5411"};
    private static final double[] FRAUD_MCC_W = {0.30, 0.20, 0.15, 0.15, 0.12, 0.08};
    private static final String[] FOREIGN = {"NG", "RU", "BR", "CN", "US", "RO", "UA", "VN"};
    /** Relative genuine activity by hour of day (UTC). */
    private static final double[] DIURNAL = {0.10, 0.06, 0.04, 0.04, 0.05, 0.10, 0.25, 0.55, 0.80, 0.90, 0.95, 1.0,
            1.0, 0.95, 0.90, 0.90, 0.95, 1.0, 1.0, 0.95, 0.80, 0.60, 0.35, 0.18};

    private final SplittableRandom rnd;
    private final int cards;
    private final String[] home;
    private final double[] logAmount;
    private final double[] pOnline;
    private final double[] pContactless;
    private final double fraudPerGenuine;
    private final double meanStepMs;
    private final PriorityQueue<Pending> pending = new PriorityQueue<>();
    private long clock;
    private long seq;

    /**
     * @param seed        seed of everything
     * @param cards       number of cards
     * @param txnsPerDay  genuine payments per card per day, on average
     * @param fraudShare  target share of fraudulent payments (e.g. 0.003)
     * @param startMillis simulated start time, epoch ms
     */
    public FraudSimulator(long seed, int cards, double txnsPerDay, double fraudShare, long startMillis) {
        if (cards < 1 || !(txnsPerDay > 0) || !(fraudShare >= 0 && fraudShare < 0.5)) {
            throw new IllegalArgumentException("fraud simulator: need cards >= 1, txnsPerDay > 0, 0 <= fraudShare < 0.5");
        }
        this.rnd = new SplittableRandom(seed);
        this.cards = cards;
        this.home = new String[cards];
        this.logAmount = new double[cards];
        this.pOnline = new double[cards];
        this.pContactless = new double[cards];
        for (int c = 0; c < cards; c++) {
            home[c] = COUNTRIES[pick(COUNTRY_W)];
            logAmount[c] = 3.0 + 0.6 * gaussian();
            pOnline[c] = 0.05 + 0.30 * rnd.nextDouble();
            pContactless[c] = 0.2 + 0.5 * rnd.nextDouble();
        }
        // Mean diurnal acceptance is ~0.6, so steps are proposed faster than accepted payments.
        double meanDiurnal = java.util.Arrays.stream(DIURNAL).average().orElse(1);
        this.meanStepMs = 86_400_000.0 / (cards * txnsPerDay) * meanDiurnal;
        // A burst has 1 + Poisson(2.5) payments on average 3.5; share = bursts * 3.5 / genuine.
        this.fraudPerGenuine = fraudShare / 3.5 / (1 - fraudShare);
        this.clock = startMillis;
    }

    /** Defaults for demos: 20k cards, 3 payments a card a day, 0.3% fraud, starting 2026-01-01. */
    public static FraudSimulator withDefaults(long seed) {
        return new FraudSimulator(seed, 20_000, 3.0, 0.003, 1_767_225_600_000L);
    }

    @Override
    public long now() {
        return clock;
    }

    @Override
    public SimulatedEvent next() {
        while (true) {
            long step = Math.max(1, Math.round(-Math.log(1 - rnd.nextDouble()) * meanStepMs));
            long candidate = clock + step;
            if (!pending.isEmpty() && pending.peek().time <= candidate) {
                Pending p = pending.poll();
                clock = Math.max(clock, p.time);
                return fraudPayment(p.card, clock);
            }
            clock = candidate;
            int hour = (int) ((clock / 3_600_000L) % 24);
            if (rnd.nextDouble() > DIURNAL[hour]) {
                continue; // thinned: fewer genuine payments at night
            }
            if (rnd.nextDouble() < fraudPerGenuine) {
                startBurst(rnd.nextInt(cards), clock);
            }
            return genuinePayment(rnd.nextInt(cards), clock);
        }
    }

    private void startBurst(int card, long start) {
        int n = 1 + poisson(2.5);
        long t = start + Math.round(-Math.log(1 - rnd.nextDouble()) * 600_000); // first within ~10 min
        for (int i = 0; i < n; i++) {
            pending.add(new Pending(t, card, seq++));
            t += 30_000 + Math.round(-Math.log(1 - rnd.nextDouble()) * 240_000); // then minutes apart
        }
    }

    private SimulatedEvent genuinePayment(int card, long time) {
        int m = pick(GENUINE_MCC_W);
        double amount = Math.exp(logAmount[card] + 0.7 * gaussian()) * GENUINE_MCC_AMOUNT[m];
        String country = rnd.nextDouble() < 0.04 ? COUNTRIES[pick(COUNTRY_W)] : home[card];
        double u = rnd.nextDouble();
        Channel channel = u < pOnline[card] ? Channel.ONLINE
                : u < pOnline[card] + (1 - pOnline[card]) * pContactless[card] ? Channel.CONTACTLESS
                : rnd.nextDouble() < 0.02 ? Channel.MOTO : Channel.CHIP;
        return payment(card, time, GENUINE_MCC[m], amount, country, channel, false);
    }

    private SimulatedEvent fraudPayment(int card, long time) {
        int m = pick(FRAUD_MCC_W);
        double amount = Math.exp(logAmount[card] + 1.3 + 0.8 * gaussian());
        String country = rnd.nextDouble() < 0.6 ? FOREIGN[rnd.nextInt(FOREIGN.length)] : home[card];
        double u = rnd.nextDouble();
        Channel channel = u < 0.65 ? Channel.ONLINE : u < 0.80 ? Channel.MOTO : u < 0.9 ? Channel.CONTACTLESS : Channel.CHIP;
        return payment(card, time, FRAUD_MCC[m], amount, country, channel, true);
    }

    private SimulatedEvent payment(int card, long time, String mcc, double amount, String country, Channel channel, boolean fraud) {
        String txId = "tx-" + Long.toString(seq++, 36) + "-" + Integer.toString(rnd.nextInt(1 << 30), 36);
        String cardId = "card-" + card;
        int merchantNo = (mcc.hashCode() & 0x7fffffff) % 97 + 100 * (rnd.nextInt(40));
        PaymentTransaction tx = PaymentTransaction.newBuilder()
                .setTransactionId(txId)
                .setCardId(cardId)
                .setMerchantId("m-" + mcc + "-" + merchantNo)
                .setMerchantCategory(mcc)
                .setAmount(Math.round(amount * 100) / 100.0)
                .setCurrency("EUR")
                .setCountry(country)
                .setChannel(channel)
                .setEventTime(time)
                .build();
        return new SimulatedEvent(cardId, txId, tx, fraud);
    }

    private int pick(double[] w) {
        double u = rnd.nextDouble();
        double acc = 0;
        for (int i = 0; i < w.length; i++) {
            acc += w[i];
            if (u < acc) {
                return i;
            }
        }
        return w.length - 1;
    }

    private double gaussian() {
        double u1 = 1 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private int poisson(double lambda) {
        double l = Math.exp(-lambda);
        double p = 1;
        int k = 0;
        do {
            k++;
            p *= rnd.nextDouble();
        } while (p > l);
        return k - 1;
    }

    private record Pending(long time, int card, long seq) implements Comparable<Pending> {
        @Override
        public int compareTo(Pending o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
