package dev.libsqlplatform.bench.ceiling;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ceiling: the least a Java HTTP service can do for a point read or an autocommit insert. Spring MVC on Tomcat,
 * the same Hrana-shaped JSON parsed with Jackson, one sqlite-jdbc statement, a Hrana-shaped answer. No auth, no
 * streams, no routing, no metering, no replication log. Reads run on a read-only connection per thread; writes (any
 * statement that is not a SELECT) on one writer connection at {@code -Dceiling.synchronous} (default FULL), one at a
 * time behind a fair lock, as SQLite allows one writer. Runs as its own process ({@code bench.jar ceiling}) with the
 * same JVM and flags as the worker.
 */
@SpringBootApplication
@RestController
public class CeilingApp {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static String url;
    private final ThreadLocal<Map<String, PreparedStatement>> statements = ThreadLocal.withInitial(HashMap::new);
    private final ThreadLocal<Connection> connections = ThreadLocal.withInitial(CeilingApp::open);
    private final java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock(true);
    private Connection writer;
    private final Map<String, PreparedStatement> writes = new HashMap<>();

    public static void main(String[] args) throws Exception {
        String file = System.getProperty("ceiling.db", "ceiling.db");
        int rows = Integer.getInteger("ceiling.rows", 100_000);
        prepare(Path.of(file), rows);
        url = "jdbc:sqlite:" + file;
        SpringApplication app = new SpringApplication(CeilingApp.class);
        app.setDefaultProperties(Map.of(
                "server.address", "127.0.0.1",
                "spring.main.banner-mode", "off",
                "logging.level.root", "WARN",
                "server.tomcat.threads.max", "200"));
        app.run(args);
    }

    /** Creates the kv table with {@code rows} rows (k = 1..rows, v = 'value-k') when the file is absent. */
    static void prepare(Path file, int rows) throws SQLException {
        if (Files.exists(file)) return;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE kv(k INTEGER PRIMARY KEY, v TEXT)");
            s.execute("CREATE TABLE w(k INTEGER PRIMARY KEY, v TEXT)"); // the writes scenario's table
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO kv(k, v) VALUES (?, ?)")) {
                for (int k = 1; k <= rows; k++) {
                    p.setLong(1, k);
                    p.setString(2, "value-" + k);
                    p.addBatch();
                    if (k % 1000 == 0) p.executeBatch();
                }
                p.executeBatch();
            }
            c.commit();
        }
    }

    private static Connection open() {
        try {
            Connection c = DriverManager.getConnection(url);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA query_only=1");
            }
            return c;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @PostMapping(path = "/v2/pipeline", consumes = MediaType.ALL_VALUE)
    ResponseEntity<byte[]> pipeline(@RequestBody byte[] body) throws SQLException {
        JsonNode req = JSON.readTree(body);
        ObjectNode answer = JSON.createObjectNode();
        answer.putNull("baton");
        answer.putNull("base_url");
        ArrayNode results = answer.putArray("results");
        for (JsonNode r : req.path("requests")) {
            String type = r.path("type").asString();
            ObjectNode res = results.addObject();
            if ("execute".equals(type)) {
                JsonNode stmt = r.path("stmt");
                res.put("type", "ok");
                ObjectNode response = res.putObject("response");
                response.put("type", "execute");
                execute(stmt, response.putObject("result"));
            } else if ("close".equals(type)) {
                res.put("type", "ok");
                res.putObject("response").put("type", "close");
            } else {
                res.put("type", "error");
                res.putObject("error").put("message", "unsupported request " + type);
            }
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(JSON.writeValueAsBytes(answer));
    }

    private void execute(JsonNode stmt, ObjectNode result) throws SQLException {
        String sql = stmt.path("sql").asString();
        if (!sql.regionMatches(true, 0, "SELECT", 0, 6)) {
            write(stmt, sql, result);
            return;
        }
        Map<String, PreparedStatement> cache = statements.get();
        PreparedStatement p = cache.get(sql);
        if (p == null) {
            p = connections.get().prepareStatement(sql);
            cache.put(sql, p);
        }
        bind(p, stmt);
        ArrayNode cols = result.putArray("cols");
        ArrayNode rows = result.putArray("rows");
        try (ResultSet rs = p.executeQuery()) {
            int n = rs.getMetaData().getColumnCount();
            for (int c = 1; c <= n; c++) {
                ObjectNode col = cols.addObject();
                col.put("name", rs.getMetaData().getColumnName(c));
                col.put("decltype", rs.getMetaData().getColumnTypeName(c));
            }
            while (rs.next()) {
                ArrayNode row = rows.addArray();
                for (int c = 1; c <= n; c++) {
                    Object v = rs.getObject(c);
                    ObjectNode cell = row.addObject();
                    if (v == null) cell.put("type", "null");
                    else if (v instanceof Number num) { cell.put("type", "integer"); cell.put("value", String.valueOf(num.longValue())); }
                    else { cell.put("type", "text"); cell.put("value", v.toString()); }
                }
            }
        }
        result.put("affected_row_count", 0);
        result.putNull("last_insert_rowid");
    }

    private static void bind(PreparedStatement p, JsonNode stmt) throws SQLException {
        int i = 1;
        for (JsonNode a : stmt.path("args")) {
            String t = a.path("type").asString();
            if ("integer".equals(t)) p.setLong(i++, Long.parseLong(a.path("value").asString()));
            else if ("null".equals(t)) p.setNull(i++, java.sql.Types.NULL);
            else p.setString(i++, a.path("value").asString());
        }
    }

    /** An autocommit write on the one writer connection: committed (and flushed at the set synchronous) before the answer. */
    private void write(JsonNode stmt, String sql, ObjectNode result) throws SQLException {
        writeLock.lock();
        try {
            if (writer == null) {
                writer = DriverManager.getConnection(url);
                try (Statement s = writer.createStatement()) {
                    s.execute("PRAGMA busy_timeout=5000");
                    s.execute("PRAGMA synchronous=" + System.getProperty("ceiling.synchronous", "FULL"));
                }
            }
            PreparedStatement p = writes.get(sql);
            if (p == null) {
                p = writer.prepareStatement(sql);
                writes.put(sql, p);
            }
            bind(p, stmt);
            int n = p.executeUpdate();
            result.putArray("cols");
            result.putArray("rows");
            result.put("affected_row_count", n);
            result.putNull("last_insert_rowid");
        } finally {
            writeLock.unlock();
        }
    }
}
