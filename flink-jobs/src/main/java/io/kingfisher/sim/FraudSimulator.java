package io.kingfisher.sim;

import io.kingfisher.schemas.fraud.Channel;
import io.kingfisher.schemas.fraud.FraudLabel;
import io.kingfisher.schemas.fraud.LabelSource;
import io.kingfisher.schemas.fraud.PaymentTransaction;

import java.time.Duration;
import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * Card payments with a hidden fraud process. Genuine spending follows each card's habits (home country,
 * typical amount, preferred channels) with fewer payments at night. Now and then a card is compromised and a
 * fraudster makes a burst of payments; about 0.3% of payments are fraud. How a burst looks is the fraud
 * pattern, and the drift schedule brings new ones:
 * <ul>
 *   <li>regime 0, <b>card not present</b>: a few payments minutes apart, larger than the card's habit, mostly
 *       online or by phone, often abroad, at risky merchant types, at any hour;</li>
 *   <li>odd regimes, <b>cloned card</b>: card-present payments (chip, contactless) in or near the home country at
 *       fuel, grocery and electronics merchants, close to the card's usual amounts, an hour or so apart;</li>
 *   <li>even regimes from 2, <b>card testing</b>: many tiny online payments seconds apart at digital merchants,
 *       most of them at the few merchants whose weak checks fraudsters favour ({@link #TESTING_MERCHANTS} of each
 *       merchant type), then one large cash-out.</li>
 * </ul>
 * A model that learned one pattern misses the next. Every fraudulent payment gets a {@code FraudLabel} (is_fraud
 * true) naming the payment and its merchant: 40% as a cardholder's fraud report about 18 hours later, the rest as a
 * chargeback about 6 days later
 * (log-normal, all within {@code BuiltInDomains.FRAUD_LABEL_WINDOW}); a genuine payment gets none, which the label
 * rule reads as genuine at its timeout. Everything is drawn from seeded generators, so a seed gives the same stream.
 */
public final class FraudSimulator extends EventTimeSimulator {
    /** Countries cards are issued in, and their weights. */
    private static final String[] COUNTRIES = {"GB", "FR", "DE", "ES", "IT", "NL", "IE", "US", "PL", "SE"};
    private static final double[] COUNTRY_W = {0.40, 0.12, 0.12, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.03};
    private static final String[] GENUINE_MCC = {"5411", "5812", "5541", "5732", "5311", "5999", "4111", "5912"};
    private static final double[] GENUINE_MCC_W = {0.30, 0.20, 0.12, 0.03, 0.12, 0.11, 0.07, 0.05};
    private static final double[] GENUINE_MCC_AMOUNT = {1.0, 0.8, 1.3, 4.0, 1.5, 1.0, 0.3, 0.6};
    private static final String[] FRAUD_MCC = {"5732", "4829", "5967", "7995", "5999", "5411"};
    private static final double[] FRAUD_MCC_W = {0.30, 0.20, 0.15, 0.15, 0.12, 0.08};
    private static final String[] CLONED_MCC = {"5541", "5411", "5732", "5311", "5999"};
    private static final double[] CLONED_MCC_W = {0.30, 0.30, 0.20, 0.10, 0.10};
    private static final String[] TESTING_MCC = {"5999", "5967", "4829", "5812"};
    /** Of each merchant type's 40 merchants, those card testers mostly use (index into the 40). */
    static final int[] TESTING_MERCHANTS = {7, 19, 31};
    /** Share of card-testing probes made at {@link #TESTING_MERCHANTS}. */
    private static final double AT_TESTING_MERCHANT = 0.8;
    private static final double[] TESTING_MCC_W = {0.40, 0.30, 0.20, 0.10};
    private static final String[] FOREIGN = {"NG", "RU", "BR", "CN", "US", "RO", "UA", "VN"};
    /** Relative genuine activity by hour of day (UTC). */
    private static final double[] DIURNAL = {0.10, 0.06, 0.04, 0.04, 0.05, 0.10, 0.25, 0.55, 0.80, 0.90, 0.95, 1.0,
            1.0, 0.95, 0.90, 0.90, 0.95, 1.0, 1.0, 0.95, 0.80, 0.60, 0.35, 0.18};
    /** Mean of {@link #DIURNAL}: the share of proposed payment times that are kept. */
    private static final double MEAN_DIURNAL = Arrays.stream(DIURNAL).average().orElse(1);
    /** Most cards a time scale may ask for. */
    public static final int MAX_CARDS = 10_000_000;
    /** Default simulated start: 2026-01-01T00:00Z. */
    public static final long DEFAULT_START = 1_767_225_600_000L;
    /** Latest a fraud label comes after its payment (inside the 30-day label window). */
    private static final long MAX_LABEL_DELAY = Duration.ofDays(29).toMillis();

    /** How a fraudster uses a compromised card. */
    enum Pattern {
        CARD_NOT_PRESENT(3.5), CLONED_CARD(2.5), CARD_TESTING(8.0);

        /** Mean payments per burst. */
        final double meanBurst;

        Pattern(double meanBurst) {
            this.meanBurst = meanBurst;
        }

        static Pattern ofRegime(int regime) {
            return regime == 0 ? CARD_NOT_PRESENT : regime % 2 == 1 ? CLONED_CARD : CARD_TESTING;
        }
    }

    private final Rng rnd;
    private final int cards;
    private final String[] home;
    private final double[] logAmount;
    private final double[] pOnline;
    private final double[] pContactless;
    private final double fraudRatio;
    private final double meanStepMs;
    private final DriftSchedule drift;
    private final PriorityQueue<Pending> pending = new PriorityQueue<>();
    private long clock;
    private long seq;

    /**
     * Without drift and without held-up events (every event in time order), as before drift schedules existed.
     *
     * @param seed        seed of everything
     * @param cards       number of cards
     * @param txnsPerDay  genuine payments per card per day, on average
     * @param fraudShare  target share of fraudulent payments (e.g. 0.003)
     * @param startMillis simulated start time, epoch ms
     */
    public FraudSimulator(long seed, int cards, double txnsPerDay, double fraudShare, long startMillis) {
        this(seed, cards, txnsPerDay, fraudShare, startMillis, DriftSchedule.none(), Transport.NONE);
    }

    /**
     * @param drift     when new fraud patterns appear
     * @param transport how payments are held up on their way
     */
    public FraudSimulator(long seed, int cards, double txnsPerDay, double fraudShare, long startMillis,
                          DriftSchedule drift, Transport transport) {
        super(seed, startMillis, transport);
        if (cards < 1 || !(txnsPerDay > 0) || !(fraudShare >= 0 && fraudShare < 0.5)) {
            throw new IllegalArgumentException("fraud simulator: need cards >= 1, txnsPerDay > 0, 0 <= fraudShare < 0.5");
        }
        this.rnd = new Rng(seed);
        this.cards = cards;
        this.drift = drift == null ? DriftSchedule.none() : drift;
        this.home = new String[cards];
        this.logAmount = new double[cards];
        this.pOnline = new double[cards];
        this.pContactless = new double[cards];
        for (int c = 0; c < cards; c++) {
            home[c] = COUNTRIES[rnd.pick(COUNTRY_W)];
            logAmount[c] = 3.0 + 0.6 * rnd.gaussian();
            pOnline[c] = 0.05 + 0.30 * rnd.uniform();
            pContactless[c] = 0.2 + 0.5 * rnd.uniform();
        }
        // Proposed times are thinned by the diurnal profile, so they are proposed faster than payments are made.
        this.meanStepMs = 86_400_000.0 / (cards * txnsPerDay) * MEAN_DIURNAL;
        // A burst of mean size m starting at a genuine payment with probability q gives a fraud share of
        // q * m / (1 + q * m); solving for the target share: q = share / (1 - share) / m.
        this.fraudRatio = fraudShare / (1 - fraudShare);
        this.clock = startMillis;
    }

    /** Defaults for demos: 20k cards, 3 payments a card a day, 0.3% fraud, starting 2026-01-01; no drift. */
    public static FraudSimulator withDefaults(long seed) {
        return new FraudSimulator(seed, 20_000, 3.0, 0.003, DEFAULT_START);
    }

    /**
     * @param eventsPerSimulatedSecond how busy the world must be
     * @param txnsPerDay               payments per card per day
     * @return the number of cards that makes it that busy
     */
    public static int cardsFor(double eventsPerSimulatedSecond, double txnsPerDay) {
        double cards = Math.round(eventsPerSimulatedSecond * 86_400 / txnsPerDay);
        if (cards < 1) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "%.4f payments per simulated second is less than one card; raise the rate or lower the time scale",
                    eventsPerSimulatedSecond));
        }
        if (cards > MAX_CARDS) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "%.0f payments per simulated second needs %,.0f cards, more than %,d; lower the rate or raise the time scale",
                    eventsPerSimulatedSecond, cards, MAX_CARDS));
        }
        return (int) cards;
    }

    @Override
    protected void generate() {
        while (true) {
            long step = Math.max(1, Math.round(rnd.exponential(meanStepMs)));
            long candidate = clock + step;
            if (!pending.isEmpty() && pending.peek().time <= candidate) {
                Pending p = pending.poll();
                clock = Math.max(clock, p.time);
                fraudPayment(p, clock);
                return;
            }
            clock = candidate;
            int hour = (int) ((clock / 3_600_000L) % 24);
            if (rnd.uniform() > DIURNAL[hour]) {
                continue; // thinned: fewer genuine payments at night
            }
            Pattern pattern = Pattern.ofRegime(drift.sampleRegime(clock - start(), rnd.uniform()));
            if (rnd.uniform() < fraudRatio / pattern.meanBurst) {
                startBurst(rnd.nextInt(cards), clock, pattern);
            }
            genuinePayment(rnd.nextInt(cards), clock);
            return;
        }
    }

    private void startBurst(int card, long start, Pattern pattern) {
        int n;
        long t;
        switch (pattern) {
            case CLONED_CARD -> {
                n = 1 + rnd.poisson(1.5);
                t = start + Math.round(rnd.exponential(3_600_000));
            }
            case CARD_TESTING -> {
                n = 4 + rnd.poisson(4.0);
                t = start + Math.round(rnd.exponential(300_000));
            }
            default -> {
                n = 1 + rnd.poisson(2.5);
                t = start + Math.round(rnd.exponential(600_000)); // first within ~10 min
            }
        }
        for (int i = 0; i < n; i++) {
            pending.add(new Pending(t, card, pattern, i == n - 1, seq++));
            t += switch (pattern) {
                case CLONED_CARD -> 1_200_000 + Math.round(rnd.exponential(3_600_000));
                case CARD_TESTING -> 5_000 + Math.round(rnd.exponential(40_000));
                default -> 30_000 + Math.round(rnd.exponential(240_000)); // then minutes apart
            };
        }
    }

    private void genuinePayment(int card, long time) {
        int m = rnd.pick(GENUINE_MCC_W);
        double amount = Math.exp(logAmount[card] + 0.7 * rnd.gaussian()) * GENUINE_MCC_AMOUNT[m];
        String country = rnd.chance(0.04) ? COUNTRIES[rnd.pick(COUNTRY_W)] : home[card];
        double u = rnd.uniform();
        Channel channel = u < pOnline[card] ? Channel.ONLINE
                : u < pOnline[card] + (1 - pOnline[card]) * pContactless[card] ? Channel.CONTACTLESS
                : rnd.chance(0.02) ? Channel.MOTO : Channel.CHIP;
        payment(card, time, GENUINE_MCC[m], amount, country, channel, false, -1);
    }

    private void fraudPayment(Pending p, long time) {
        int card = p.card;
        String mcc;
        double amount;
        String country;
        Channel channel;
        double u = rnd.uniform();
        switch (p.pattern) {
            case CLONED_CARD -> {
                mcc = CLONED_MCC[rnd.pick(CLONED_MCC_W)];
                amount = Math.exp(logAmount[card] + 0.5 + 0.5 * rnd.gaussian());
                country = rnd.chance(0.75) ? home[card] : COUNTRIES[rnd.pick(COUNTRY_W)];
                channel = u < 0.55 ? Channel.CHIP : u < 0.90 ? Channel.CONTACTLESS : Channel.ONLINE;
            }
            case CARD_TESTING -> {
                mcc = TESTING_MCC[rnd.pick(TESTING_MCC_W)];
                amount = p.last ? Math.exp(logAmount[card] + 1.5 + 0.4 * rnd.gaussian()) : rnd.uniform(0.5, 3.0);
                country = rnd.chance(0.7) ? home[card] : COUNTRIES[rnd.pick(COUNTRY_W)];
                channel = u < 0.9 ? Channel.ONLINE : Channel.MOTO;
            }
            default -> {
                mcc = FRAUD_MCC[rnd.pick(FRAUD_MCC_W)];
                amount = Math.exp(logAmount[card] + 1.3 + 0.8 * rnd.gaussian());
                country = rnd.chance(0.6) ? FOREIGN[rnd.nextInt(FOREIGN.length)] : home[card];
                channel = u < 0.65 ? Channel.ONLINE : u < 0.80 ? Channel.MOTO : u < 0.9 ? Channel.CONTACTLESS : Channel.CHIP;
            }
        }
        int merchant = p.pattern == Pattern.CARD_TESTING && !p.last && rnd.chance(AT_TESTING_MERCHANT)
                ? TESTING_MERCHANTS[rnd.nextInt(TESTING_MERCHANTS.length)] : -1;
        SimulatedEvent ev = payment(card, time, mcc, amount, country, channel, true, merchant);
        boolean report = rnd.chance(0.4);
        double delay = report ? rnd.logNormal(18 * 3_600_000.0, 0.7) : rnd.logNormal(6 * 86_400_000.0, 0.5);
        long labelTime = time + Math.max(3_600_000L, Math.min(MAX_LABEL_DELAY, Math.round(delay)));
        FraudLabel label = FraudLabel.newBuilder()
                .setTransactionId(ev.eventId())
                .setCardId(ev.key())
                .setIsFraud(true)
                .setSource(report ? LabelSource.FRAUD_REPORT : LabelSource.CHARGEBACK)
                .setLabelTime(labelTime)
                .setMerchantId(((PaymentTransaction) ev.value()).getMerchantId())
                .build();
        emitLabel(new SimulatedLabel(ev.key(), label, true), labelTime);
    }

    /** @param merchant index of the merchant among its type's 40, or -1 for any of them */
    private SimulatedEvent payment(int card, long time, String mcc, double amount, String country, Channel channel, boolean fraud,
                                   int merchant) {
        String txId = "tx-" + Long.toString(seq++, 36) + "-" + Integer.toString(rnd.nextInt(1 << 30), 36);
        String cardId = "card-" + card;
        int merchantNo = (mcc.hashCode() & 0x7fffffff) % 97 + 100 * (merchant >= 0 ? merchant : rnd.nextInt(40));
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
        SimulatedEvent ev = new SimulatedEvent(cardId, txId, tx, fraud);
        emitEvent(ev, time);
        return ev;
    }

    private record Pending(long time, int card, Pattern pattern, boolean last, long seq) implements Comparable<Pending> {
        @Override
        public int compareTo(Pending o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
