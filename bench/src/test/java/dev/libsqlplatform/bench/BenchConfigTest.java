package dev.libsqlplatform.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The baseline options: off unless asked, rounds and clients following the sandbox comparison's unless given. */
class BenchConfigTest {
    @Test
    void baselineIsOffByDefault() {
        BenchConfig c = BenchConfig.parse();
        assertNull(c.baselineRef());
        assertEquals(4, c.baselineRounds());
        assertEquals(List.of(1, 16), c.baselineClients());
    }

    @Test
    void baselineOptions() {
        BenchConfig c = BenchConfig.parse("--baseline-ref=0a048b5", "--sandbox-rounds=6", "--sandbox-clients=1");
        assertEquals("0a048b5", c.baselineRef());
        assertEquals(6, c.baselineRounds());
        assertEquals(List.of(1), c.baselineClients());
        c = BenchConfig.parse("--baseline-ref=main", "--sandbox-rounds=0", "--baseline-clients=16", "--baseline-rounds=3");
        assertEquals(3, c.baselineRounds());
        assertEquals(List.of(16), c.baselineClients());
        assertEquals(4, BenchConfig.parse("--sandbox-rounds=0").baselineRounds());
        assertNull(BenchConfig.parse("--baseline-ref=").baselineRef());
    }

    @Test
    void readRoundsAndContendedMode() {
        BenchConfig c = BenchConfig.parse();
        assertEquals(3, c.readRounds());
        assertEquals(true, c.contended());
        c = BenchConfig.parse("--read-rounds=0", "--contended=false");
        assertEquals(1, c.readRounds());
        assertEquals(false, c.contended());
    }

    @Test
    void comparisonsRunQuietUnlessAskedToContend() {
        assertEquals(false, BenchConfig.parse().compareContended());
        assertEquals(true, BenchConfig.parse("--compare-contended=true").compareContended());
        assertEquals(false, BenchConfig.parse("--compare-contended=false").compareContended());
    }

    @Test
    void forwardingComparisonOptions() {
        BenchConfig c = BenchConfig.parse();
        assertEquals(4, c.forwardRounds());
        assertEquals(List.of(1, 16), c.forwardClients());
        c = BenchConfig.parse("--forward-rounds=0", "--forward-clients=16");
        assertEquals(0, c.forwardRounds());
        assertEquals(List.of(16), c.forwardClients());
    }
}
