package io.kingfisher.sim;

import io.kingfisher.schemas.clicks.ClickEvent;
import io.kingfisher.schemas.clicks.ClickEventType;
import io.kingfisher.scoring.IdHash;

import java.time.Duration;
import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * A feed with a hidden click process.
 *
 * <p><b>World.</b> Items belong to categories (of very different sizes) and have a latent position near their
 * category's, a quality, and a popularity that moves: every simulated hour each item's log-popularity takes a step
 * of a mean-reverting random walk (it forgets in about a day and a half). Users have a taste (a latent vector built
 * from a couple of favourite categories), a propensity to click, and an activity level (heavy and light users).
 *
 * <p><b>Impressions.</b> Users open sessions at a rate that follows the time of day (evenings busiest), on the feed
 * (70%), search (20%) or related items (10%). A session shows pages of 10 slots a minute or so apart, 1.8 pages on
 * average. The serving system fills a slot from the user's favourite categories or from what is trending (drawn by
 * popularity), so what is shown is itself biased.
 *
 * <p><b>Clicks.</b> A slot is looked at with probability {@code (1 + position)^-0.8} (position bias), and an item
 * looked at is clicked with probability {@code sigmoid(b + 3 taste . item + 0.45 popularity + quality + category
 * appeal + user propensity + surface - 0.25 page)}. About 3 to 5% of impressions are clicked. Most clicks follow within
 * seconds (log-normal, median 8 s); 5% come back later (2 to 90 minutes), some after the attribution window, where
 * the label rule no longer counts them: {@link SimulatedEvent#positive()} is a click within the window.
 *
 * <p><b>Drift</b> is a shift in taste: each drift point moves users to new favourite categories (each user at their
 * own moment during a gradual drift, all at once in an abrupt one) and changes which categories are in fashion.
 * User and item embeddings learned before it describe a world that is gone.
 *
 * <p>Impressions are {@code ClickEvent}s of type IMPRESSION (their {@code impression_id} is their {@code event_id});
 * clicks are {@code ClickEvent}s of type CLICK naming the impression, emitted at the click's time. Both carry the
 * {@link IdHash} of the user and the item.
 */
public final class ClicksSimulator extends EventTimeSimulator {
    /** Most users a time scale may ask for (the simulator keeps a few vectors per user in memory). */
    public static final int MAX_USERS = 2_000_000;
    private static final int CATEGORIES = 12;
    private static final int DIM = 8;
    private static final int SLOTS = 10;
    private static final double MEAN_PAGES = 1.77;
    private static final String[] SURFACES = {"feed", "search", "related"};
    private static final double[] SURFACE_W = {0.7, 0.2, 0.1};
    private static final double[] SURFACE_BOOST = {0.0, 0.7, -0.3};
    private static final double BASE_LOGIT = -3.65;
    private static final double TASTE = 3.0;
    private static final double POPULARITY = 0.45;
    /** Relative session starts by hour of day (UTC). */
    private static final double[] DIURNAL = {0.25, 0.15, 0.10, 0.08, 0.08, 0.12, 0.25, 0.45, 0.55, 0.55, 0.55, 0.60,
            0.70, 0.65, 0.60, 0.60, 0.65, 0.75, 0.90, 1.00, 1.00, 0.90, 0.70, 0.45};
    private static final double MEAN_DIURNAL = Arrays.stream(DIURNAL).average().orElse(1);
    private static final long HOUR = 3_600_000L;
    /** Per-hour persistence of an item's log-popularity (forgets in about 36 hours). */
    private static final double POPULARITY_PERSISTENCE = Math.exp(-1.0 / 36);

    /**
     * @param users                 users
     * @param items                 items
     * @param sessionsPerUserPerDay sessions an average user opens a day
     * @param attributionWindow     clicks later than this after the impression do not count
     * @param startMillis           simulated start, epoch ms
     */
    public record Config(int users, int items, double sessionsPerUserPerDay, Duration attributionWindow, long startMillis) {
        public Config {
            if (users < 1 || items < SLOTS) {
                throw new IllegalArgumentException("clicks simulator: need at least 1 user and " + SLOTS + " items, had "
                        + users + " and " + items);
            }
            if (!(sessionsPerUserPerDay > 0)) {
                throw new IllegalArgumentException("clicks simulator: sessions per user per day must be > 0, was " + sessionsPerUserPerDay);
            }
            if (attributionWindow == null || attributionWindow.isNegative() || attributionWindow.isZero()) {
                throw new IllegalArgumentException("clicks simulator: attribution window must be positive, was " + attributionWindow);
            }
        }

        /** 5000 users, 1000 items, 4 sessions a user a day, a 30-minute attribution window, from 2026-01-01. */
        public static Config defaults() {
            return new Config(5000, 1000, 4.0, Duration.ofMinutes(30), FraudSimulator.DEFAULT_START);
        }

        /** The defaults with as many users as make {@code eventsPerSimulatedSecond} impressions a simulated second. */
        public static Config forRate(double eventsPerSimulatedSecond) {
            Config d = defaults();
            long users = Math.round(eventsPerSimulatedSecond * 86_400 / (d.sessionsPerUserPerDay * SLOTS * MEAN_PAGES));
            if (users < 1) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                        "%.4f impressions per simulated second is less than one user; raise the rate or lower the time scale",
                        eventsPerSimulatedSecond));
            }
            if (users > MAX_USERS) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                        "%.0f impressions per simulated second needs %,d users, more than %,d; lower the rate or raise the time scale",
                        eventsPerSimulatedSecond, users, MAX_USERS));
            }
            return new Config((int) users, d.items, d.sessionsPerUserPerDay, d.attributionWindow, d.startMillis);
        }

        /** @return the impressions a simulated second these users produce, about */
        public double eventsPerSimulatedSecond() {
            return users * sessionsPerUserPerDay * SLOTS * MEAN_PAGES / 86_400;
        }
    }

    private final Config config;
    private final DriftSchedule drift;
    private final Rng rnd;
    private final String[] userIds;
    private final int[] userHashes;
    private final String[] itemIds;
    private final int[] itemHashes;
    private final int[] itemCategory;
    private final double[][] itemVector;
    private final double[] itemQuality;
    private final double[] popularity;
    private final double[] trendingCumulative;
    private final int[][] categoryItems;
    /** Per regime, per user: taste vector and two favourite categories. */
    private final double[][][] taste;
    private final int[][][] favourites;
    /** Per regime: each category's appeal. */
    private final double[][] appeal;
    private final double[] propensity;
    private final double[] activityCumulative;
    /** Per user, per drift point: the weight at which the user adopts it. */
    private final double[][] adoption;
    private final double meanStepMs;
    private final PriorityQueue<Pending> pending = new PriorityQueue<>();
    private long clock;
    private long popularityHour;
    private long seq;
    private long impressions;
    private long clicksInWindow;

    /**
     * @param drift     when tastes shift
     * @param transport how impressions are held up on their way
     */
    public ClicksSimulator(long seed, Config config, DriftSchedule drift, Transport transport) {
        super(seed, config.startMillis(), transport);
        this.config = config;
        this.drift = drift == null ? DriftSchedule.none() : drift;
        this.rnd = new Rng(seed);
        int users = config.users();
        int items = config.items();
        int regimes = this.drift.regimes();

        double[][] centroid = new double[CATEGORIES][];
        for (int c = 0; c < CATEGORIES; c++) {
            centroid[c] = unit(randomVector());
        }
        double[] categorySize = new double[CATEGORIES];
        for (int c = 0; c < CATEGORIES; c++) {
            categorySize[c] = 1.0 / Math.pow(c + 1, 0.8);
        }
        normalize(categorySize);

        this.itemIds = new String[items];
        this.itemHashes = new int[items];
        this.itemCategory = new int[items];
        this.itemVector = new double[items][];
        this.itemQuality = new double[items];
        this.popularity = new double[items];
        int[] perCategory = new int[CATEGORIES];
        for (int i = 0; i < items; i++) {
            itemIds[i] = "it-" + i;
            itemHashes[i] = IdHash.hash24(itemIds[i]);
            itemCategory[i] = i < CATEGORIES ? i : rnd.pick(categorySize); // every category has an item
            perCategory[itemCategory[i]]++;
            double[] v = randomVector();
            for (int d = 0; d < DIM; d++) {
                v[d] = centroid[itemCategory[i]][d] + 0.5 * v[d];
            }
            itemVector[i] = unit(v);
            itemQuality[i] = 0.5 * rnd.gaussian();
            popularity[i] = rnd.gaussian();
        }
        this.categoryItems = new int[CATEGORIES][];
        int[] fill = new int[CATEGORIES];
        for (int c = 0; c < CATEGORIES; c++) {
            categoryItems[c] = new int[perCategory[c]];
        }
        for (int i = 0; i < items; i++) {
            categoryItems[itemCategory[i]][fill[itemCategory[i]]++] = i;
        }
        this.trendingCumulative = new double[items];
        rebuildTrending();

        this.userIds = new String[users];
        this.userHashes = new int[users];
        this.propensity = new double[users];
        this.activityCumulative = new double[users];
        double activityTotal = 0;
        for (int u = 0; u < users; u++) {
            userIds[u] = "u-" + u;
            userHashes[u] = IdHash.hash24(userIds[u]);
            propensity[u] = 0.5 * rnd.gaussian();
            activityTotal += rnd.logNormal(1.0, 0.8);
            activityCumulative[u] = activityTotal;
        }
        for (int u = 0; u < users; u++) {
            activityCumulative[u] /= activityTotal;
        }

        this.taste = new double[regimes][users][];
        this.favourites = new int[regimes][users][];
        this.appeal = new double[regimes][CATEGORIES];
        for (int k = 0; k < regimes; k++) {
            double[] fashion = categorySize.clone();
            for (int c = 0; c < CATEGORIES; c++) {
                appeal[k][c] = 1.1 * rnd.gaussian();
            }
            if (k > 0) {
                for (int c = 0; c < CATEGORIES; c++) {
                    fashion[c] = Math.exp(1.2 * rnd.gaussian());
                }
                normalize(fashion);
            }
            for (int u = 0; u < users; u++) {
                int a = rnd.pick(fashion);
                int b = rnd.pick(fashion);
                double[] t = randomVector();
                for (int d = 0; d < DIM; d++) {
                    t[d] = centroid[a][d] + 0.7 * centroid[b][d] + 0.3 * t[d] + (k > 0 ? 0.25 * taste[k - 1][u][d] : 0);
                }
                taste[k][u] = unit(t);
                favourites[k][u] = new int[] {a, b};
            }
        }
        this.adoption = new double[users][regimes - 1];
        for (int u = 0; u < users; u++) {
            for (int k = 0; k < regimes - 1; k++) {
                adoption[u][k] = rnd.uniform();
            }
        }
        double sessionsPerMs = users * config.sessionsPerUserPerDay() / 86_400_000.0;
        this.meanStepMs = MEAN_DIURNAL / sessionsPerMs;
        this.clock = config.startMillis();
        this.popularityHour = config.startMillis() / HOUR;
    }

    /** With the default users and items, no drift and the default transport. */
    public static ClicksSimulator withDefaults(long seed) {
        return new ClicksSimulator(seed, Config.defaults(), DriftSchedule.none(), Transport.DEFAULT);
    }

    /**
     * What was shown and clicked so far (the hidden truth, counted when generated).
     *
     * @param impressions impressions generated
     * @param clicks      of them, clicked within the attribution window
     */
    public record Tally(long impressions, long clicks) {
        /** @return clicks per impression */
        public double clickThroughRate() {
            return impressions == 0 ? 0 : clicks / (double) impressions;
        }
    }

    /** @return impressions so far and how many of them are clicked within the attribution window */
    public Tally tally() {
        return new Tally(impressions, clicksInWindow);
    }

    @Override
    protected void generate() {
        while (true) {
            long candidate = clock + Math.max(1, Math.round(rnd.exponential(meanStepMs)));
            if (!pending.isEmpty() && pending.peek().time <= candidate) {
                Pending p = pending.poll();
                clock = Math.max(clock, p.time);
                if (p.item < 0) {
                    openPage(p.user, p.surface, p.page, clock);
                    continue;
                }
                impression(p, clock);
                return;
            }
            clock = candidate;
            int hour = (int) ((clock / HOUR) % 24);
            if (rnd.uniform() > DIURNAL[hour]) {
                continue;
            }
            int user = pickUser();
            openPage(user, rnd.pick(SURFACE_W), 0, clock);
        }
    }

    private int pickUser() {
        int u = Arrays.binarySearch(activityCumulative, rnd.uniform());
        return Math.min(config.users() - 1, u < 0 ? -u - 1 : u);
    }

    /** Fills a page's slots (distinct items) and schedules its impressions, then maybe the session's next page. */
    private void openPage(int user, int surface, int page, long t) {
        advancePopularity(t);
        int regime = drift.adoptedRegime(t - start(), adoption[user]);
        int[] shown = new int[SLOTS];
        double personal = surface == 1 ? 0.8 : 0.5;
        for (int slot = 0; slot < SLOTS; slot++) {
            int item = -1;
            for (int attempt = 0; attempt < 4; attempt++) {
                item = rnd.chance(personal) ? personalItem(regime, user) : trendingItem();
                if (!contains(shown, slot, item)) {
                    break;
                }
            }
            shown[slot] = item;
            pending.add(new Pending(t + slot * 150L, user, item, slot, surface, page, seq++));
        }
        if (page < 4 && rnd.chance(0.45)) {
            long next = t + SLOTS * 150L + Math.round(rnd.uniform(20_000, 90_000));
            pending.add(new Pending(next, user, -1, -1, surface, page + 1, seq++));
        }
    }

    private void impression(Pending p, long t) {
        int u = p.user;
        int i = p.item;
        double[] shares = drift.shares(t - start());
        double categoryAppeal = 0;
        for (int k = 0; k < shares.length; k++) {
            categoryAppeal += shares[k] * appeal[k][itemCategory[i]];
        }
        int regime = drift.adoptedRegime(t - start(), adoption[u]);
        double logit = BASE_LOGIT + TASTE * dot(taste[regime][u], itemVector[i]) + POPULARITY * popularity[i]
                + itemQuality[i] + categoryAppeal + propensity[u] + SURFACE_BOOST[p.surface] - 0.25 * p.page;
        double examined = Math.pow(1 + p.position, -0.8);
        boolean clicked = rnd.uniform() < examined / (1 + Math.exp(-logit));
        long delay = 0;
        if (clicked) {
            delay = rnd.chance(0.95) ? Math.max(300L, Math.round(rnd.logNormal(8_000, 0.9)))
                    : Math.round(rnd.uniform(120_000, 5_400_000));
        }
        boolean positive = clicked && delay <= config.attributionWindow().toMillis();
        String impressionId = "imp-" + Long.toString(seq++, 36);
        ClickEvent imp = ClickEvent.newBuilder()
                .setEventId(impressionId)
                .setType(ClickEventType.IMPRESSION)
                .setImpressionId(impressionId)
                .setUserId(userIds[u])
                .setItemId(itemIds[i])
                .setPosition(p.position)
                .setSurface(SURFACES[p.surface])
                .setEventTime(t)
                .setUserHash(userHashes[u])
                .setItemHash(itemHashes[i])
                .build();
        emitEvent(new SimulatedEvent(userIds[u], impressionId, imp, positive), t);
        impressions++;
        if (clicked) {
            clicksInWindow += positive ? 1 : 0;
            ClickEvent click = ClickEvent.newBuilder(imp)
                    .setEventId("clk-" + Long.toString(seq++, 36))
                    .setType(ClickEventType.CLICK)
                    .setEventTime(t + delay)
                    .build();
            emitLabel(new SimulatedLabel(userIds[u], click, positive), t + delay);
        }
    }

    private int personalItem(int regime, int user) {
        int[] fav = favourites[regime][user];
        int[] pool = categoryItems[fav[rnd.chance(0.6) ? 0 : 1]];
        return pool[rnd.nextInt(pool.length)];
    }

    private int trendingItem() {
        int i = Arrays.binarySearch(trendingCumulative, rnd.uniform());
        return Math.min(config.items() - 1, i < 0 ? -i - 1 : i);
    }

    /** Steps every item's popularity once per simulated hour passed (at most two days' steps at once). */
    private void advancePopularity(long t) {
        long hour = t / HOUR;
        if (hour <= popularityHour) {
            return;
        }
        long steps = Math.min(48, hour - popularityHour);
        double innovation = Math.sqrt(1 - POPULARITY_PERSISTENCE * POPULARITY_PERSISTENCE);
        for (long s = 0; s < steps; s++) {
            for (int i = 0; i < popularity.length; i++) {
                popularity[i] = POPULARITY_PERSISTENCE * popularity[i] + innovation * rnd.gaussian();
            }
        }
        popularityHour = hour;
        rebuildTrending();
    }

    private void rebuildTrending() {
        double total = 0;
        for (int i = 0; i < popularity.length; i++) {
            total += Math.exp(popularity[i]);
            trendingCumulative[i] = total;
        }
        for (int i = 0; i < popularity.length; i++) {
            trendingCumulative[i] /= total;
        }
    }

    private double[] randomVector() {
        double[] v = new double[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = rnd.gaussian();
        }
        return v;
    }

    private static double[] unit(double[] v) {
        double n = Math.sqrt(dot(v, v));
        for (int d = 0; d < v.length; d++) {
            v[d] /= n;
        }
        return v;
    }

    private static void normalize(double[] w) {
        double s = Arrays.stream(w).sum();
        for (int i = 0; i < w.length; i++) {
            w[i] /= s;
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }

    private static boolean contains(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }

    /** A page to open ({@code item < 0}) or an impression to show, at its time. */
    private record Pending(long time, int user, int item, int position, int surface, int page, long seq)
            implements Comparable<Pending> {
        @Override
        public int compareTo(Pending o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
