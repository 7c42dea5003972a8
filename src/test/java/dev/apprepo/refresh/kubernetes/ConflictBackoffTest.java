package dev.apprepo.refresh.kubernetes;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConflictBackoffTest {

    @Test
    void retriesWaitLongerAtEachAttemptAndNeverZero() {
        for (int attempt = 1; attempt <= 5; attempt++) {
            long bound = 200L << (attempt - 1);
            long longest = 0;
            for (int i = 0; i < 1000; i++) {
                long delay = ConflictBackoff.delay(attempt, 200);
                assertTrue(delay >= 1 && delay <= bound, "attempt " + attempt + ": " + delay);
                longest = Math.max(longest, delay);
            }
            // a uniform pause up to the bound: of a thousand, one at least is in its upper half
            assertTrue(longest > bound / 2, "attempt " + attempt + " waited " + longest + " at most");
        }
        assertEquals(1, ConflictBackoff.delay(1, 0));
    }
}
