package dev.apprepo.refresh.kubernetes;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;

/**
 * Ends an API answer whose body has not all come within the API timeout of its head. fabric8's request timeout ends
 * once the head is in: an API server that stopped halfway through a body would otherwise hold its refresh, and the
 * service's shutdown, for good. The call fails with a {@link TimeoutException}, as one whose head never came.
 */
final class AnswerTimeout implements Interceptor {

    static final String NAME = "AnswerTimeout";

    private final long timeoutMillis;

    AnswerTimeout(Duration apiTimeout) {
        this.timeoutMillis = apiTimeout.toMillis();
    }

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        if (response.body() instanceof AsyncBody body) {
            body.done().orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((done, failure) -> {
                if (failure instanceof TimeoutException) {
                    // frees the connection; whoever reads the body already has the TimeoutException
                    body.cancel();
                }
            });
        }
    }
}
