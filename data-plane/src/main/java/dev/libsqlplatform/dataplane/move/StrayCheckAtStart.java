package dev.libsqlplatform.dataplane.move;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.contract.internalapi.StrayCheck;
import dev.libsqlplatform.dataplane.config.ServiceSecret;
import dev.libsqlplatform.dataplane.config.WorkerIdentity;
import dev.libsqlplatform.dataplane.config.WorkerProperties;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Before the worker serves anything (singletons are ready before the web server accepts connections), asks the
 * control plane which of its databases are not routed to it ({@link StrayCheck}) and deletes those. A copy left while
 * the worker was down (a move's target that installed its copy and died before the switch, a database deleted
 * meanwhile) would otherwise be served to whoever reaches this worker until the control plane's sweep deletes it:
 * stale reads, and writes acknowledged and then lost with the copy.
 *
 * <p>A control plane that does not answer is not waited for: the databases are served (availability first) and
 * its sweep deletes strays once the worker's heartbeat reaches it. Logged at WARN either way.
 */
@Component
class StrayCheckAtStart implements SmartInitializingSingleton {
    private static final Logger log = LoggerFactory.getLogger(StrayCheckAtStart.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final WorkerProperties props;
    private final WorkerIdentity identity;
    private final ServiceSecret secret;
    private final DatabaseRegistry registry;
    private final Fences fences;

    StrayCheckAtStart(WorkerProperties props, WorkerIdentity identity, ServiceSecret secret, DatabaseRegistry registry,
                      Fences fences) {
        this.props = props;
        this.identity = identity;
        this.secret = secret;
        this.registry = registry;
        this.fences = fences;
    }

    @Override
    public void afterSingletonsInstantiated() {
        List<String> held = registry.ids();
        if (held.isEmpty() || props.controlPlaneUrl() == null || props.controlPlaneUrl().isBlank()) {
            return;
        }
        List<String> strays;
        try {
            strays = ask(held);
        } catch (IOException e) {
            log.warn("could not ask the control plane which of this worker's {} databases are not routed to it ({});"
                    + " serving them all: its sweep deletes copies that are not routed here", held.size(), e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Set<String> asked = new HashSet<>(held);
        for (String id : strays) {
            if (!asked.contains(id)) {
                continue;
            }
            try {
                fences.delete(id);
                log.warn("database {} is not routed to this worker (a copy left while it was down): deleted before"
                        + " serving anything", id);
            } catch (IOException | RuntimeException e) {
                log.error("database {} is not routed to this worker but could not be deleted: {}", id, e.toString());
            }
        }
    }

    private List<String> ask(List<String> held) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        URI target = URI.create(props.controlPlane(InternalApi.STRAYS));
        List<String> strays = new ArrayList<>();
        for (int from = 0; from < held.size(); from += StrayCheck.MAX_IDS) {
            List<String> chunk = held.subList(from, Math.min(held.size(), from + StrayCheck.MAX_IDS));
            HttpRequest req = HttpRequest.newBuilder(target).timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + secret.value())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(new StrayCheck(identity.id(), chunk))))
                    .build();
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                throw new IOException(target + " answered HTTP " + resp.statusCode());
            }
            StrayCheck.Answer answer;
            try {
                answer = JSON.readValue(resp.body(), StrayCheck.Answer.class);
            } catch (RuntimeException e) {
                throw new IOException(target + " answered something else than a stray check: " + e.getMessage());
            }
            if (answer.strays() != null) {
                strays.addAll(answer.strays());
            }
        }
        return strays;
    }
}
