package dev.apprepo.refresh.kubernetes;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The pause before the next attempt of an update refused with 409 Conflict: random, so that replicas that collided
 * do not collide again, and with a bound that doubles at each attempt, so that several replicas writing one
 * AppRepository at once each get their turn within the attempts.
 */
public final class ConflictBackoff {

    private ConflictBackoff() {
    }

    /**
     * @param  attempt the attempt that was refused, from 1
     * @param  backoff the bound of the first pause, in milliseconds
     * @return         milliseconds, at least 1 and at most {@code backoff} times 2 to the power {@code attempt - 1}
     */
    public static long delay(int attempt, long backoff) {
        long bound = backoff << Math.min(Math.max(attempt - 1, 0), 10);
        return ThreadLocalRandom.current().nextLong(1, Math.max(bound, 1) + 1);
    }
}
