import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A burst whose arrivals are spread over time, as many senders that each deliver once: COUNT POSTs to one URL, each
 * on a connection of its own, sent at a random time within SPREAD_MS (the same times every run), all of them
 * concurrent while they wait. ab starts all its requests at once and cannot spread them. Plain JDK 17.
 *
 * Usage:
 *   java bench/SpreadBurst.java URL COUNT SPREAD_MS TOKEN BODY_FILE
 * Prints "RESULT answered_200=... other_status=... errors=... seconds=... sent_over_ms=...".
 */
public class SpreadBurst {

    public static void main(String[] args) throws Exception {
        // each delivery on a connection of its own, as separate senders would: Connection is a restricted header
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "connection");
        URI uri = URI.create(args[0]);
        int count = Integer.parseInt(args[1]);
        long spreadNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[2]));
        String token = args[3];
        byte[] body = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(args[4]));

        Random random = new Random(12);
        long[] offsets = new long[count];
        for (int i = 0; i < count; i++) {
            offsets[i] = (long) (random.nextDouble() * spreadNanos);
        }
        Arrays.sort(offsets);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(600)).executor(Executors.newCachedThreadPool()).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(600))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Connection", "close").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        CompletableFuture<?>[] answers = new CompletableFuture<?>[count];
        long[] sent = new long[count];
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            int n = i;
            answers[i] = new CompletableFuture<>();
            clock.schedule(() -> {
                sent[n] = System.nanoTime();
                client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                    if (failure != null) {
                        errors.incrementAndGet();
                    } else if (response.statusCode() == 200) {
                        ok.incrementAndGet();
                    } else {
                        other.incrementAndGet();
                    }
                    answers[n].complete(null);
                });
            }, offsets[i], TimeUnit.NANOSECONDS);
        }
        CompletableFuture.allOf(answers).join();
        long end = System.nanoTime();
        clock.shutdown();
        System.out.printf("RESULT answered_200=%d other_status=%d errors=%d seconds=%.2f sent_over_ms=%d%n", ok.get(),
                other.get(), errors.get(), (end - start) / 1e9, (sent[count - 1] - sent[0]) / 1_000_000);
        System.exit(0);
    }
}
