package dev.libsqlplatform.controlplane.dashboard;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.libsqlplatform.controlplane.database.Database;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.dbtoken.DatabaseTokenService;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.worker.Worker;
import dev.libsqlplatform.controlplane.worker.WorkerService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The SQL console: a Hrana client of the database's worker ({@code POST /v2/pipeline}), holding a database token
 * minted for the signed-in user by the Platform API's own {@link DatabaseTokenService} (full access, one minute). The
 * worker routes by the token's {@code id} claim, checks it, applies blocks and the tenant sandbox exactly as for
 * {@code @libsql/client}; errors are shown as the worker reports them (SQLite's message and Hrana code).
 */
@Service
class SqlConsole {

    private static final Logger log = LoggerFactory.getLogger(SqlConsole.class);
    static final String TOKEN_LIFETIME = "1m";
    /** Tables and views with their columns, in one statement (table-valued pragma, read-only). */
    static final String SCHEMA_SQL = "SELECT m.name, m.type, p.name, p.type, p.pk FROM sqlite_schema AS m "
            + "JOIN pragma_table_info(m.name) AS p WHERE m.type IN ('table', 'view') "
            + "AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name, p.cid";

    private final DatabaseService databases;
    private final DatabaseTokenService tokens;
    private final WorkerService workers;
    private final DashboardProperties properties;
    private final JsonMapper json;
    private final HttpClient http;

    SqlConsole(DatabaseService databases, DatabaseTokenService tokens, WorkerService workers,
               DashboardProperties properties, JsonMapper json) {
        this.databases = databases;
        this.tokens = tokens;
        this.workers = workers;
        this.properties = properties;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    record Column(String name, String type, boolean primaryKey) {
    }

    record Table(String name, String type, List<Column> columns) {
    }

    /** What one run shows: the last statement's rows (at most the row limit), or the first error. */
    record Result(int statements, int executed, List<String> columns, List<List<String>> rows, long totalRows,
                  boolean truncated, Long affectedRows, String error, String errorCode, Integer errorStatement) {
        public boolean failed() {
            return error != null;
        }
    }

    record Page(List<Table> schema, String schemaError, Result result) {
    }

    /** The schema browser alone. */
    Page schema(Shell shell, String database) {
        return run(shell, database, null);
    }

    /** Runs {@code sql} (one or more statements), then reads the schema again (a CREATE shows at once). */
    Page run(Shell shell, String database, String sql) {
        Database db = databases.get(shell.org(), database);
        Worker worker = db.workerId() == null ? null : workers.find(db.workerId()).orElse(null);
        if (worker == null || Database.PROVISIONING.equals(db.state())) {
            throw ApiError.CONFLICT.exception("database " + database + " is still being provisioned: the console "
                    + "opens once it is ready");
        }
        List<String> statements = sql == null ? List.of() : Statements.split(sql);
        if (sql != null && statements.isEmpty()) {
            throw ApiError.BAD_REQUEST.exception("enter at least one SQL statement");
        }
        String token = tokens.mint(shell.org(), database, new DatabaseTokenService.MintRequest(TOKEN_LIFETIME,
                "full-access", List.of(), shell.caller().userId()));
        ObjectNode body = json.createObjectNode();
        ArrayNode requests = body.putArray("requests");
        if (!statements.isEmpty()) {
            ObjectNode batch = requests.addObject().put("type", "batch").putObject("batch");
            ArrayNode steps = batch.putArray("steps");
            for (int i = 0; i < statements.size(); i++) {
                ObjectNode step = steps.addObject();
                if (i > 0) {
                    // a statement runs only if the one before it succeeded, as in a script
                    step.putObject("condition").put("type", "ok").put("step", i - 1);
                }
                step.putObject("stmt").put("sql", statements.get(i));
            }
        }
        requests.addObject().put("type", "execute").putObject("stmt").put("sql", SCHEMA_SQL);
        requests.addObject().put("type", "close");
        JsonNode answer = post(worker, token, body);
        JsonNode results = answer.path("results");
        Result result = statements.isEmpty() ? null : batchResult(results.path(0), statements.size());
        JsonNode schemaAnswer = results.path(statements.isEmpty() ? 0 : 1);
        List<Table> schema = new ArrayList<>();
        String schemaError = null;
        if ("ok".equals(schemaAnswer.path("type").asString(""))) {
            schema = tables(schemaAnswer.path("response").path("result"));
        } else {
            schemaError = schemaAnswer.path("error").path("message").asString("the schema could not be read");
        }
        return new Page(schema, schemaError, result);
    }

    private JsonNode post(Worker worker, String token, ObjectNode body) {
        URI uri = URI.create(worker.url().replaceAll("/+$", "") + "/v2/pipeline");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(properties.consoleTimeout())
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body), StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            log.warn("SQL console: worker {} at {} unreachable: {}", worker.id(), worker.url(), e.toString());
            throw ApiError.CONFLICT.exception("the database's worker " + worker.id() + " cannot be reached: "
                    + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.INTERNAL.exception("interrupted");
        }
        JsonNode parsed;
        try {
            parsed = json.readTree(response.body());
        } catch (RuntimeException e) {
            parsed = json.createObjectNode();
        }
        if (response.statusCode() != 200) {
            // the worker's own error body: Hrana's {"message","code"} or the HTTP layer's {"error"}
            String message = parsed.path("message").asString(parsed.path("error").asString("HTTP " + response.statusCode()));
            String code = parsed.path("code").asString("");
            throw ApiError.CONFLICT.exception("the worker refused the statement: " + message
                    + (code.isEmpty() ? "" : " (" + code + ")"));
        }
        return parsed;
    }

    private Result batchResult(JsonNode answer, int statements) {
        if (!"ok".equals(answer.path("type").asString(""))) {
            JsonNode error = answer.path("error");
            return new Result(statements, 0, List.of(), List.of(), 0, false, null,
                    error.path("message").asString("the statements could not be run"), error.path("code").asString(""), 1);
        }
        JsonNode batch = answer.path("response").path("result");
        JsonNode stepResults = batch.path("step_results");
        JsonNode stepErrors = batch.path("step_errors");
        int executed = 0;
        JsonNode last = null;
        for (int i = 0; i < statements; i++) {
            JsonNode error = stepErrors.path(i);
            if (error.isObject()) {
                return withRows(statements, executed, last, error.path("message").asString(""),
                        error.path("code").asString(""), i + 1);
            }
            JsonNode r = stepResults.path(i);
            if (r.isObject()) {
                executed++;
                last = r;
            }
        }
        return withRows(statements, executed, last, null, null, null);
    }

    private Result withRows(int statements, int executed, JsonNode last, String error, String code, Integer at) {
        if (last == null) {
            return new Result(statements, executed, List.of(), List.of(), 0, false, null, error, code, at);
        }
        List<String> columns = new ArrayList<>();
        last.path("cols").forEach(c -> columns.add(c.path("name").asString("")));
        List<List<String>> rows = new ArrayList<>();
        JsonNode all = last.path("rows");
        int limit = properties.consoleRowLimit();
        for (int i = 0; i < all.size() && i < limit; i++) {
            List<String> row = new ArrayList<>();
            all.get(i).forEach(v -> row.add(value(v)));
            rows.add(row);
        }
        Long affected = last.has("affected_row_count") ? last.path("affected_row_count").asLong() : null;
        return new Result(statements, executed, columns, rows, all.size(), all.size() > limit, affected, error, code, at);
    }

    /** Hrana values as text; NULL and blobs are marked so that they cannot be mistaken for text. */
    private static String value(JsonNode v) {
        return switch (v.path("type").asString("")) {
            case "null" -> "NULL";
            case "blob" -> "<blob, " + (v.path("base64").asString("").length() * 3 / 4) + " bytes>";
            default -> v.path("value").asString(v.path("value").toString());
        };
    }

    private static List<Table> tables(JsonNode result) {
        Map<String, Table> byName = new LinkedHashMap<>();
        for (JsonNode row : result.path("rows")) {
            String table = row.path(0).path("value").asString("");
            Table t = byName.computeIfAbsent(table, k -> new Table(k, row.path(1).path("value").asString(""),
                    new ArrayList<>()));
            t.columns().add(new Column(row.path(2).path("value").asString(""), row.path(3).path("value").asString(""),
                    !"0".equals(row.path(4).path("value").asString("0"))));
        }
        return new ArrayList<>(byName.values());
    }
}
