package io.kingfisher.jobs;

import io.kingfisher.schemas.core.Score;

/** {@code <domain>.scores} records → {@link Score}s of the domain, for the feedback join. */
public class ScoreDecodeFunction extends SpecificDecodeFunction<Score, Score> {
    private static final long serialVersionUID = 1L;

    private final String domain;

    public ScoreDecodeFunction(String domain, String registryUrl) {
        super(Score.class, registryUrl, "decode-score");
        this.domain = domain;
    }

    @Override
    protected Score convert(Score s, RawRecord raw) {
        if (!domain.equals(s.getDomain())) {
            throw new IllegalArgumentException("score of domain '" + s.getDomain() + "' on the topic of '" + domain + "'");
        }
        return s;
    }
}
