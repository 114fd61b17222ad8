package dev.libsqlplatform.dataplane.replication;

import dev.libsqlplatform.dataplane.auth.AuthenticatedCaller;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.hrana.Access;
import dev.libsqlplatform.dataplane.hrana.HranaService;
import dev.libsqlplatform.dataplane.hrana.Proto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;

/**
 * sqld's {@code proxy.Proxy} ({@code Execute}, {@code Describe}): writes an embedded replica forwards to the primary.
 * A program runs as one Hrana batch on a Hrana stream of the caller's {@code client_id}, so forwarded SQL passes the
 * same guard, sandbox, access checks (read-only tokens cannot write), group commit and limits as SQL over HTTP. The
 * stream lives while a transaction is open across calls (BEGIN and COMMIT arrive as separate calls) and is closed as
 * soon as the connection is back in autocommit; an idle transaction expires after the stream idle timeout. The
 * answer's {@code current_frame_no} is read after the writer released the database, i.e. after the write's frames
 * are durable in the log, so the client's follow-up sync (read-your-writes) finds them.
 */
@Service
public class ProxyService {
    private static final int MAX_SESSIONS = 10_000;

    private final ReplicationService replication;
    private final HranaService hrana;
    /** (database, client_id) → the baton of the stream holding its open transaction. */
    private final Map<String, String> batons = new ConcurrentHashMap<>();

    ProxyService(ReplicationService replication, HranaService hrana) {
        this.replication = replication;
        this.hrana = hrana;
    }

    /** {@code Execute(ProgramReq) → ExecuteResults}. */
    public byte[] execute(ReplicationService.Caller caller, byte[] request) throws ReplicationException {
        AuthenticatedCaller who = replication.authenticateForProxy(caller);
        ProxyMessages.Program program = ProxyMessages.parseProgram(request);
        String key = who.dbId() + "/" + program.clientId();
        List<Proto.StreamRequest> reqs = List.of(
                new Proto.StreamRequest("batch", null, program.batch(), null, null),
                new Proto.StreamRequest("get_autocommit", null, null, null, null));
        Proto.PipelineResponse resp = run(who, key, reqs);
        Proto.StreamResult batch = resp.results().get(0);
        if (batch.error() != null) {
            throw new ReplicationException(GrpcStatus.INVALID_ARGUMENT, batch.error().code().name() + ": "
                    + batch.error().message());
        }
        Proto.BatchResult br = (Proto.BatchResult) batch.response().result();
        List<ProxyMessages.StepOutcome> steps = new ArrayList<>(br.stepResults().size());
        for (int i = 0; i < br.stepResults().size(); i++) {
            steps.add(new ProxyMessages.StepOutcome(br.stepResults().get(i), br.stepErrors().get(i)));
        }
        Proto.StreamResult ac = resp.results().get(1);
        boolean autocommit = ac.response() == null || !Boolean.FALSE.equals(ac.response().isAutocommit());
        settle(who, key, resp.baton(), autocommit);
        return ProxyMessages.executeResults(steps, autocommit, replication.currentFrameNo(who.dbId()));
    }

    /** {@code Describe(DescribeRequest) → DescribeResult}. */
    public byte[] describe(ReplicationService.Caller caller, byte[] request) throws ReplicationException {
        AuthenticatedCaller who = replication.authenticateForProxy(caller);
        ProxyMessages.Describe d = ProxyMessages.parseDescribe(request);
        String key = who.dbId() + "/" + d.clientId();
        Proto.PipelineResponse resp = run(who, key,
                List.of(new Proto.StreamRequest("describe", null, null, d.sql(), null),
                        new Proto.StreamRequest("get_autocommit", null, null, null, null)));
        Proto.StreamResult r = resp.results().get(0);
        Proto.StreamResult ac = resp.results().get(1);
        boolean autocommit = ac.response() == null || !Boolean.FALSE.equals(ac.response().isAutocommit());
        settle(who, key, resp.baton(), autocommit);
        if (r.error() != null) {
            return ProxyMessages.describeResult(null, r.error());
        }
        return ProxyMessages.describeResult((Proto.DescribeResult) r.response().result(), null);
    }

    private Proto.PipelineResponse run(AuthenticatedCaller who, String key, List<Proto.StreamRequest> reqs)
            throws ReplicationException {
        String baton = batons.remove(key);
        try {
            return hrana.pipeline(Access.of(who), new Proto.PipelineRequest(baton, reqs));
        } catch (ApiException e) {
            String why = e.code().name() + ": " + e.getMessage();
            if (baton != null) {
                why += " (the open transaction of this connection was rolled back)";
            }
            GrpcStatus status = switch (e.code()) {
                case HRANA_PROTO_ERROR, BAD_REQUEST, PIPELINE_TOO_LONG, PAYLOAD_TOO_LARGE -> GrpcStatus.INVALID_ARGUMENT;
                case TOO_MANY_STREAMS, TOO_MANY_CONNECTIONS -> GrpcStatus.RESOURCE_EXHAUSTED;
                case UNAUTHORIZED -> GrpcStatus.UNAUTHENTICATED;
                case PERMISSION_DENIED, FORBIDDEN, BLOCKED -> GrpcStatus.PERMISSION_DENIED;
                default -> GrpcStatus.FAILED_PRECONDITION;
            };
            throw new ReplicationException(status, why);
        }
    }

    /** Keeps the stream while its transaction is open, else closes it. */
    private void settle(AuthenticatedCaller who, String key, String baton, boolean autocommit)
            throws ReplicationException {
        if (baton == null) {
            return;
        }
        if (!autocommit && batons.size() < MAX_SESSIONS) {
            batons.put(key, baton);
            return;
        }
        close(who, baton);
        if (!autocommit) {
            throw new ReplicationException(GrpcStatus.RESOURCE_EXHAUSTED, "too many transactions are open through"
                    + " embedded replicas on this worker; the transaction was rolled back");
        }
    }

    private void close(AuthenticatedCaller who, String baton) {
        try {
            hrana.pipeline(Access.of(who), new Proto.PipelineRequest(baton,
                    List.of(new Proto.StreamRequest("close", null, null, null, null))));
        } catch (ApiException ignored) {
            // already gone
        }
    }
}
