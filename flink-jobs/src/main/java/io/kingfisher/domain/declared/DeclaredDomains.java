package io.kingfisher.domain.declared;

import io.kingfisher.domain.Domain;
import io.kingfisher.domain.LabelRule;
import io.kingfisher.domain.LabelValue;
import io.kingfisher.features.FeatureDef;
import io.kingfisher.features.FeatureSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link Domain} of a domain file. Numeric columns become raw-valued features whose missing cells
 * are imputed with the training rows' mean and flagged in a missing-indicator column; categorical columns
 * become one-hot features over their most frequent values in the training rows (at most
 * {@code model.max_categories}), with a reserved bucket for anything unseen or missing. Scaling is left to the
 * model, which standardises its inputs with the training set's statistics.
 */
public final class DeclaredDomains {
    private DeclaredDomains() {
    }

    public static Domain build(DomainFile file, RowReader reader, List<RowReader.ParsedRow> training) {
        if (training.isEmpty()) {
            throw new DomainFileException("no valid training rows to derive the features from");
        }
        List<FeatureDef> defs = new ArrayList<>();
        for (String c : file.numeric()) {
            double sum = 0;
            int n = 0;
            for (RowReader.ParsedRow r : training) {
                Object v = r.event().get(c);
                if (v != null) {
                    sum += (Double) v;
                    n++;
                }
            }
            defs.add(new FeatureDef.Numeric(c, c, FeatureDef.Transform.NONE, n == 0 ? 0.0 : sum / n, true));
        }
        for (String c : file.categorical()) {
            Map<String, Integer> counts = new HashMap<>();
            for (RowReader.ParsedRow r : training) {
                Object v = r.event().get(c);
                if (v != null) {
                    counts.merge(v.toString(), 1, Integer::sum);
                }
            }
            if (counts.isEmpty()) {
                throw new DomainFileException("features.categorical: column '" + c + "' has no values in the training rows");
            }
            List<String> top = counts.entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                    .limit(file.maxCategories())
                    .map(Map.Entry::getKey)
                    .toList();
            defs.add(new FeatureDef.OneHot(c, c, top));
        }
        return new Domain(file.name(), reader.eventSchema(), RowReader.EVENT_ID, reader.keyField(), RowReader.EVENT_TIME,
                FeatureSpec.of(defs), List.of(),
                new Domain.ModelShape(file.hidden(), 1e-3, 1e-5, file.epochs()).withFineTuneScale(file.fineTuneScale())
                        .withLearningWindow(file.learningWindow()),
                // Every row's label comes label.delay after it (a minute of slack); a missing one is unknown.
                new Domain.Labels(reader.labelSchema(), null, "label_time",
                        new LabelRule.ByEventId(RowReader.EVENT_ID, LabelValue.flag("label"),
                                file.labelDelay().plusMinutes(1), LabelRule.OnTimeout.UNLABELLED)),
                new Domain.Outputs(file.alertThreshold(), null));
    }
}
