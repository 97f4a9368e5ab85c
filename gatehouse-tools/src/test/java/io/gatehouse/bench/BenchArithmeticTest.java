package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The numbers a bench reports, computed from recorded data alone. */
class BenchArithmeticTest {
    private static final long MS = 1_000_000;

    @Test
    void percentilesOfOneThousandSamplesOneToOneThousandMillisecondsAreTheirRanks() {
        LatencyRecorder latency = new LatencyRecorder();
        for (int ms = 1000; ms >= 1; ms--) { // order does not matter
            latency.record(ms * MS);
        }

        Percentiles p = latency.percentiles();

        assertThat(p.count()).isEqualTo(1000);
        // Three significant digits: each figure within 0.1 % of the exact rank.
        assertThat(p.p50Ms()).isCloseTo(500, within(0.5));
        assertThat(p.p99Ms()).isCloseTo(990, within(1.0));
        assertThat(p.p999Ms()).isCloseTo(999, within(1.0));
        assertThat(p.maxMs()).isCloseTo(1000, within(1.0));
        assertThat(p.meanMs()).isCloseTo(500.5, within(0.5));
    }

    @Test
    void aSkewedDistributionKeepsItsTailApartFromItsMedian() {
        LatencyRecorder latency = new LatencyRecorder();
        for (int i = 0; i < 990; i++) {
            latency.record(2 * MS);
        }
        for (int i = 0; i < 10; i++) {
            latency.record(80 * MS);
        }

        Percentiles p = latency.percentiles();

        assertThat(p.p50Ms()).isCloseTo(2, within(0.01));
        assertThat(p.p99Ms()).isCloseTo(2, within(0.01)); // the 990th sample of 1000 is still 2 ms
        assertThat(p.p999Ms()).isCloseTo(80, within(0.1));
        assertThat(p.maxMs()).isCloseTo(80, within(0.1));
    }

    @Test
    void readingTheRecorderTwiceKeepsWhatWasReadBefore() {
        LatencyRecorder latency = new LatencyRecorder();
        latency.record(3 * MS);
        assertThat(latency.percentiles().count()).isEqualTo(1);
        latency.record(5 * MS);

        assertThat(latency.percentiles().count()).isEqualTo(2);
        assertThat(latency.percentiles().maxMs()).isCloseTo(5, within(0.01));
    }

    @Test
    void noSamplesGiveZeroesAndANegativeSampleCountsAsZero() {
        assertThat(new LatencyRecorder().percentiles()).isEqualTo(new Percentiles(0, 0, 0, 0, 0, 0));

        LatencyRecorder latency = new LatencyRecorder();
        latency.record(-5);
        assertThat(latency.percentiles().count()).isEqualTo(1);
        assertThat(latency.percentiles().maxMs()).isZero();
    }

    @Test
    void rateIsTheCountOverTheElapsedNanosecondsPerSecond() {
        assertThat(Rate.perSecond(16_000, 1_000_000_000L)).isEqualTo(16_000.0);
        assertThat(Rate.perSecond(10_000, 620_000_000L)).isCloseTo(16_129.03, within(0.01));
        assertThat(Rate.perSecond(3_000_000, 60_500_000_000L)).isCloseTo(49_586.78, within(0.01));
        assertThat(Rate.perSecond(5, 0)).isZero();
    }

    @Test
    void aPacerStartsTheFirstEventAtOnceAndTheRestOnSchedule() {
        Pacer pacer = new Pacer(1000, 10_000); // one a millisecond

        assertThat(pacer.dueAfter(0)).isEqualTo(1);
        assertThat(pacer.dueAfter(999_999)).isEqualTo(1);
        assertThat(pacer.dueAfter(1_000_000)).isEqualTo(2);
        assertThat(pacer.dueAfter(2_500_000_000L)).isEqualTo(2501);
        assertThat(pacer.dueAfter(60_000_000_000L)).isEqualTo(10_000); // never more than the total
        assertThat(pacer.dueAfter(-1)).isZero();
        assertThat(pacer.startOf(2500)).isEqualTo(2_500_000_000L);
        assertThat(pacer.spanNanos()).isEqualTo(9_999_000_000L);
    }

    @Test
    void aPacerCatchesUpAfterALateWakeUpInsteadOfDrifting() {
        Pacer pacer = new Pacer(10, 600);

        // A caller that slept 1.05 s after the first event finds 10 more due at once, not one.
        assertThat(pacer.dueAfter(1_050_000_000L) - pacer.dueAfter(0)).isEqualTo(10);
        assertThatThrownBy(() -> new Pacer(0, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void memoryPerConnectionIsTheGrowthOverTheOpenConnections() {
        MemoryUse m = new MemoryUse(42, 10_000, 170L << 20, 354L << 20, 20L << 20, 134L << 20);

        assertThat(m.rssPerConnectionBytes()).isCloseTo(19_293.8, within(0.1)); // 184 MiB / 10,000
        assertThat(m.heapPerConnectionBytes()).isCloseTo(11_953.8, within(0.1)); // 114 MiB / 10,000
        assertThat(new MemoryUse(42, 0, 1, 2, null, null).rssPerConnectionBytes())
                .isZero();
        assertThat(new MemoryUse(42, 5, 1000, 1500, null, null).heapPerConnectionBytes())
                .isNull();
    }

    @Test
    void residentSetSizeIsReadFromTheVmRssLineInKibibytes() throws IOException {
        String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmRSS:\t  362496 kB\nRssAnon:\t  300000 kB\n";

        assertThat(ProcessMemory.vmRssBytes(status)).isEqualTo(362_496L * 1024);
        assertThatThrownBy(() -> ProcessMemory.vmRssBytes("Name:\tkthreadd\n")).isInstanceOf(IOException.class);
        assertThat(new ProcessMemory(ProcessHandle.current().pid()).residentBytes())
                .isGreaterThan(1 << 20);
    }

    @Test
    void liveHeapIsTheBytesColumnOfTheClassHistogramTotal() {
        String histogram = """
                12345:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:        104023        9812344  [B (java.base@17.0.15)
                   2:         98211        2357064  java.lang.String (java.base@17.0.15)
                Total        402311       31457280
                """;

        assertThat(ProcessMemory.histogramTotalBytes(histogram)).isEqualTo(OptionalLong.of(31_457_280));
        assertThat(ProcessMemory.histogramTotalBytes("12345:\ncom.sun.tools.attach.AttachNotSupportedException"))
                .isEmpty();
    }
}
