package io.trustbit.verifier.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters exposed as Prometheus text (exposition format 0.0.4) on {@code GET /metrics}. */
public final class Metrics {
    private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final LongAdder appraisalNanos = new LongAdder();
    private final LongAdder appraisals = new LongAdder();

    /** Counts a request; the method label is one of a fixed set so clients cannot grow the series. */
    public void request(String template, String method, int status) {
        method = switch (method) {
            case "GET", "POST", "PUT", "DELETE", "HEAD" -> method;
            default -> "other";
        };
        inc("trustbit_http_requests_total{method=\"" + method + "\",route=\"" + template + "\",status=\""
                + status + "\"}");
    }

    public void verdict(EarStatus status) {
        inc("trustbit_verdicts_total{status=\"" + status.wire() + "\"}");
    }

    /** Counts evidence that was not authenticated, by the first authentication check it failed. */
    public void failedAttempt(Check check) {
        inc("trustbit_failed_attempts_total{check=\"" + check.id() + "\"}");
    }

    public void appraisal(long nanos) {
        appraisalNanos.add(nanos);
        appraisals.increment();
    }

    public void inc(String series) {
        counters.computeIfAbsent(series, k -> new LongAdder()).increment();
    }

    public String render() {
        StringBuilder sb = new StringBuilder(1024);
        sb.append("# TYPE trustbit_http_requests_total counter\n");
        sb.append("# TYPE trustbit_verdicts_total counter\n");
        sb.append("# TYPE trustbit_failed_attempts_total counter\n");
        Map<String, LongAdder> sorted = new TreeMap<>(counters);
        sorted.forEach((k, v) -> sb.append(k).append(' ').append(v.sum()).append('\n'));
        sb.append("# TYPE trustbit_appraisal_seconds summary\n");
        sb.append("trustbit_appraisal_seconds_count ").append(appraisals.sum()).append('\n');
        sb.append("trustbit_appraisal_seconds_sum ").append(appraisalNanos.sum() / 1e9).append('\n');
        return sb.toString();
    }
}
