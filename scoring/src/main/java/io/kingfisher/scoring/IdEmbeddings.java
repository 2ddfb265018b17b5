package io.kingfisher.scoring;

import java.util.List;
import java.util.StringJoiner;

/**
 * The embedded id columns in front of an MLP, as a recommendation model has them: the first {@code tables().size()}
 * columns of every feature row are hashed ids ({@link IdHash}), each looked up in its own trainable table; the
 * network sees the concatenated embeddings, then (with {@code interactions}) the dot product of every pair of
 * embeddings, then the remaining (dense) columns unchanged. Everything after that is the usual MLP.
 *
 * @param tables       one table per id column, in column order; at least one
 * @param interactions add the pairwise dot products of the embeddings (all tables must then have the same
 *                     dimension and there must be at least two)
 */
public record IdEmbeddings(List<Table> tables, boolean interactions) {

    /** Most id columns one network embeds. */
    public static final int MAX_TABLES = 16;

    /**
     * One embedding table.
     *
     * @param vocabulary rows, in {@code [1, 2^24]}: ids are bucketed by {@code hash mod vocabulary}
     * @param dimension  width of an embedding, in {@code [1, 1024]}
     */
    public record Table(int vocabulary, int dimension) {
        public Table {
            if (vocabulary < 1 || vocabulary > IdHash.MAX_VOCABULARY) {
                throw new IllegalArgumentException("embedding vocabulary must be in [1, " + IdHash.MAX_VOCABULARY + "], was "
                        + vocabulary);
            }
            if (dimension < 1 || dimension > 1024) {
                throw new IllegalArgumentException("embedding dimension must be in [1, 1024], was " + dimension);
            }
        }

        @Override
        public String toString() {
            return vocabulary + "x" + dimension;
        }
    }

    public IdEmbeddings {
        if (tables == null || tables.isEmpty()) {
            throw new IllegalArgumentException("id embeddings need at least one table");
        }
        tables = List.copyOf(tables);
        if (tables.size() > MAX_TABLES) {
            throw new IllegalArgumentException("at most " + MAX_TABLES + " embedded id columns, was " + tables.size());
        }
        if (interactions) {
            if (tables.size() < 2) {
                throw new IllegalArgumentException("embedding interactions need at least two tables, had " + tables.size());
            }
            int d = tables.get(0).dimension();
            for (Table t : tables) {
                if (t.dimension() != d) {
                    throw new IllegalArgumentException("embedding interactions need tables of one dimension, were " + tables);
                }
            }
        }
    }

    /** @return the number of id columns (the first columns of a row) */
    public int idColumns() {
        return tables.size();
    }

    /** @return the number of pairwise dot products added (0 without interactions) */
    public int interactionColumns() {
        int k = tables.size();
        return interactions ? k * (k - 1) / 2 : 0;
    }

    /**
     * @param inputs width of a feature row, at least {@link #idColumns()}
     * @return the width of what the MLP behind the embeddings sees
     */
    public int outputWidth(int inputs) {
        if (inputs < idColumns()) {
            throw new IllegalArgumentException("a row of " + inputs + " columns cannot hold " + idColumns() + " id columns");
        }
        int width = 0;
        for (Table t : tables) {
            width += t.dimension();
        }
        return width + interactionColumns() + inputs - idColumns();
    }

    /** @return the number of trainable parameters in the tables */
    public long parameters() {
        long n = 0;
        for (Table t : tables) {
            n += (long) t.vocabulary() * t.dimension();
        }
        return n;
    }

    /** @return e.g. {@code emb(8192x16,2048x16,dot)} */
    public String describe() {
        StringJoiner j = new StringJoiner(",", "emb(", ")");
        tables.forEach(t -> j.add(t.toString()));
        if (interactions) {
            j.add("dot");
        }
        return j.toString();
    }
}
