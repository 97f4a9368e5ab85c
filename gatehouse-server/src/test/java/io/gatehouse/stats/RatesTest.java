package io.gatehouse.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.RefusalCode;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The arithmetic of a sample: rates are increases of monotonic counters per second of the interval. */
class RatesTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int CODES = RefusalCode.values().length;

    @Test
    void aRateIsTheIncreasePerSecondOfTheIntervalHoweverLongItWas() {
        assertThat(Rates.perSecond(100, 150, SECOND)).isEqualTo(50.0);
        assertThat(Rates.perSecond(100, 150, 2 * SECOND)).isEqualTo(25.0);
        assertThat(Rates.perSecond(0, 30, SECOND / 10)).isEqualTo(300.0);
        assertThat(Rates.perSecond(7, 8, 3 * SECOND))
                .as("rounded to thousandths")
                .isEqualTo(0.333);
    }

    @Test
    void noIncreaseNoTimeOrACounterThatWentBackIsZeroNeverNegative() {
        assertThat(Rates.perSecond(5, 5, SECOND)).isZero();
        assertThat(Rates.perSecond(5, 9, 0)).isZero();
        assertThat(Rates.perSecond(9, 5, SECOND)).isZero();
        assertThat(Rates.increase(9, 5)).isZero();
        assertThat(Rates.increase(5, 9)).isEqualTo(4);
    }

    @Test
    void cpuIsCoresUsedAndUnknownWhenTheJvmCannotTell() {
        assertThat(Rates.cores(0, SECOND / 2, SECOND)).isEqualTo(0.5);
        assertThat(Rates.cores(SECOND, 5 * SECOND, 2 * SECOND))
                .as("two cores busy")
                .isEqualTo(2.0);
        assertThat(Rates.cores(-1, -1, SECOND)).isNaN();
        assertThat(Rates.cores(10, 10, SECOND)).isZero();
    }

    @Test
    void aSampleHasTheRatesOfItsIntervalAndTheGaugesAtItsEnd() {
        long[] refusedBefore = new long[CODES];
        long[] refusedAfter = new long[CODES];
        refusedBefore[RefusalCode.TOKEN_INVALID.ordinal()] = 10;
        refusedAfter[RefusalCode.TOKEN_INVALID.ordinal()] = 14;
        refusedBefore[RefusalCode.ORIGIN_NOT_ALLOWED.ordinal()] = 3;
        refusedAfter[RefusalCode.ORIGIN_NOT_ALLOWED.ordinal()] = 3;
        Totals before = new Totals(SECOND, 100, refusedBefore, 1000, 2000, 5000, 2, SECOND);
        Totals after = new Totals(3 * SECOND, 120, refusedAfter, 1400, 2600, 9000, 5, 2 * SECOND);
        Instant at = Instant.parse("2026-12-02T10:15:30.123Z");

        Sample s = Sample.between(before, after, new Sample.Gauges(at, 42, 7, 8, 1000, 4000, 60_000));

        assertThat(s.at()).isEqualTo(at);
        assertThat(s.connections()).isEqualTo(42);
        assertThat(s.upgradesAccepted()).isEqualTo(10.0);
        assertThat(s.upgradesRefused())
                .as("only codes with a rate above 0")
                .isEqualTo(Map.of(RefusalCode.TOKEN_INVALID, 2.0));
        assertThat(s.messagesIn()).isEqualTo(200.0);
        assertThat(s.messagesOut()).isEqualTo(300.0);
        assertThat(s.deliveries()).isEqualTo(2000.0);
        assertThat(s.slowConsumers())
                .as("closed during the interval, not per second")
                .isEqualTo(3);
        assertThat(s.cpuProcess()).isEqualTo(0.5);
        assertThat(s.accessLogQueue()).isEqualTo(7);
        assertThat(s.webhookQueue()).isEqualTo(8);
        assertThat(s.heapUsedBytes()).isEqualTo(1000);
        assertThat(s.heapMaxBytes()).isEqualTo(4000);
        assertThat(s.uptimeMillis()).isEqualTo(60_000);
    }

    @Test
    void theFirstSampleComparesTheCountersWithThemselvesAndHasNoRates() {
        long[] refused = new long[CODES];
        refused[RefusalCode.TOKEN_EXPIRED.ordinal()] = 9;
        Totals start = new Totals(SECOND, 5, refused, 10, 10, 10, 1, SECOND);

        Sample s = Sample.between(start, start, new Sample.Gauges(Instant.EPOCH, 1, 0, 0, 1, 2, 0));

        assertThat(s.upgradesAccepted()).isZero();
        assertThat(s.upgradesRefused()).isEmpty();
        assertThat(s.messagesIn()).isZero();
        assertThat(s.slowConsumers()).isZero();
        assertThat(s.cpuProcess()).isZero();
    }
}
