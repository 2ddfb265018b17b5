package io.kingfisher.outputs;

/**
 * One user's feed state: the items the model scored for the user most recently, their latest scores and event
 * times (parallel arrays, at most the history size), and the items of the feed last written. A Flink POJO
 * (public fields, no-argument constructor), kept in keyed state; {@link FeedRanker} does the arithmetic.
 */
public final class UserItems {
    /** Item id hashes. */
    public int[] items = new int[0];
    /** The latest score of each item for this user. */
    public float[] scores = new float[0];
    /** Event time of that score, epoch ms. */
    public long[] times = new long[0];
    /** The items of the feed last written for this user, in order; empty before the first. */
    public int[] written = new int[0];

    public UserItems() {
    }
}
