package io.jmirai.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The figures of a run, printed as bench.R prints them: {@code name value unit} on stdout, every repetition's raw
 * value on stderr as {@code # repN name value unit}, medians over the repetitions at the end, the best value of each
 * on stderr. Names and units are bench.R's, so a script can pair the two outputs line by line. Not thread-safe: used
 * by the benchmark's main thread only.
 */
final class SessionFigures {
    private static final Set<String> LOWER_BETTER = Set.of("ms", "us", "s", "%", "load");

    private final Map<String, List<Double>> raw = new LinkedHashMap<>();
    private final Map<String, String> units = new LinkedHashMap<>();
    private final PrintStream out;
    private final PrintStream err;
    private int rep;

    SessionFigures(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    void rep(int i) {
        rep = i;
    }

    /** Records one repetition's value (NaN for a failed section, printed as NA). */
    void record(String name, double value, String unit) {
        raw.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        units.put(name, unit);
        err.printf("# rep%d %s %s %s%n", rep, name, fmt(value), unit);
        err.flush();
    }

    /** Prints a figure measured once, as it is. */
    void out(String name, Object value, String unit) {
        out.println(name + " " + value + " " + unit);
        out.flush();
    }

    /** Prints the median over repetitions of every recorded figure, then (on stderr) the best of each. */
    void medians(int runs) {
        out.printf("# medians over %d repetition(s)%n", runs);
        for (Map.Entry<String, List<Double>> e : raw.entrySet()) {
            out(e.getKey(), fmt(median(e.getValue())), units.get(e.getKey()));
        }
        for (Map.Entry<String, List<Double>> e : raw.entrySet()) {
            double[] v = e.getValue().stream()
                    .mapToDouble(Double::doubleValue)
                    .filter(d -> !Double.isNaN(d))
                    .toArray();
            if (v.length == 0) {
                continue;
            }
            boolean lower = LOWER_BETTER.contains(units.get(e.getKey()));
            double best = lower
                    ? Arrays.stream(v).min().getAsDouble()
                    : Arrays.stream(v).max().getAsDouble();
            err.printf("# best %s %s %s%n", e.getKey(), fmt(best), units.get(e.getKey()));
        }
        err.flush();
    }

    /** bench.R's {@code fmt}: no decimals from 100, two from 1, else 4 significant digits; NA for NaN. */
    static String fmt(double x) {
        if (Double.isNaN(x)) {
            return "NA";
        }
        if (Math.abs(x) >= 100) {
            return String.format(Locale.ROOT, "%.0f", x);
        }
        if (Math.abs(x) >= 1) {
            return String.format(Locale.ROOT, "%.2f", x);
        }
        return String.format(Locale.ROOT, "%.4g", x);
    }

    /** @return the median of the values that are not NaN (NaN if none), as R's {@code median(v, na.rm = TRUE)} */
    static double median(List<Double> values) {
        double[] v = values.stream()
                .mapToDouble(Double::doubleValue)
                .filter(d -> !Double.isNaN(d))
                .sorted()
                .toArray();
        return v.length == 0 ? Double.NaN : quantile(v, 0.5);
    }

    /** @return R's default quantile (type 7) of the sorted {@code v} */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** @return the arithmetic mean */
    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }
}
