package dev.apprepo.refresh;

import java.util.ArrayList;
import java.util.List;

import dev.apprepo.refresh.support.ServedRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the Event of an update says about the requests it answered: bounded whatever the burst. */
class RefreshAuditTest {

    @Test
    void namesOneRequestBySenderAndDelivery() {
        assertEquals("a bearer webhook", ServedRequest.describe(List.of(new ServedRequest("bearer", null))));
        assertEquals("a github webhook (delivery d-1)",
                ServedRequest.describe(List.of(new ServedRequest("github", "d-1"))));
        // the kamelet called on its own, with no sender named
        assertEquals("a request (delivery d-1)", ServedRequest.describe(List.of(new ServedRequest(null, "d-1"))));
        assertEquals("2 webhook requests (unnamed 1, github 1; deliveries d-1)",
                ServedRequest.describe(List.of(new ServedRequest(null, null), new ServedRequest("github", "d-1"))));
    }

    @Test
    void countsABatchBySenderAndNamesItsFirstDeliveries() {
        List<ServedRequest> burst = new ArrayList<>();
        for (int i = 1; i <= 998; i++) {
            burst.add(new ServedRequest("github", "d-" + i));
        }
        burst.add(new ServedRequest("bearer", null));
        burst.add(new ServedRequest("bearer", null));

        assertEquals("1000 webhook requests (github 998, bearer 2; deliveries d-1, d-2, d-3 and 995 more)",
                ServedRequest.describe(burst));
    }
}
