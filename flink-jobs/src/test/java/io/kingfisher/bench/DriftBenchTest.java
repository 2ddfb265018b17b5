package io.kingfisher.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DriftBenchTest {

    @Test
    void theClinicalWardReportsItsNewPopulationAndNothingWithoutDrift() throws Exception {
        // The clinical drift demo's 38-bed ward: PSI compares windows of 150 patients, tens of thousands of rows.
        Map<String, Map<String, Double>> results = DriftBench.run(List.of("clinical"), 1, 40_000, Map.of());
        assertEquals(List.of("clinical/none/1", "clinical/abrupt@1h,abrupt@2h/1"), List.copyOf(results.keySet()));
        Map<String, Double> none = results.get("clinical/none/1");
        Map<String, Double> drift = results.get("clinical/abrupt@1h,abrupt@2h/1");
        assertTrue(none.get("comparisons") > 10, "the window spans enough patients to be compared: " + none);
        assertEquals(0.0, none.get("comparisons_above_threshold"), "no drift, no report: " + none);
        assertTrue(none.get("max_psi") < 0.2, none.toString());
        assertTrue(drift.get("comparisons_above_threshold") > 0, drift.toString());
        assertEquals(100.0, drift.get("first_report_entities"), drift.toString());
        assertTrue(drift.get("first_report_rows") > 2_000, "a window longer than the least: " + drift);
        String table = DriftBench.table(results);
        assertTrue(table.contains("clinical/none/1") && table.contains("never"), table);
    }
}
