package dev.libsqlplatform.controlplane.database;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/organizations/{org}/databases")
class DatabaseController {

    private final Authorizer authorizer;
    private final DatabaseService databases;

    DatabaseController(Authorizer authorizer, DatabaseService databases) {
        this.authorizer = authorizer;
        this.databases = databases;
    }

    /**
     * Reference §4.4. {@code name}, {@code group} and {@code size_limit} are used; the other documented keys (seed,
     * is_schema, schema, image, extensions, location, remote_encryption, use_tursodb) are accepted and ignored.
     */
    record CreateDatabaseRequest(String name, String group, Object seed,
                                 @JsonProperty("size_limit") Object sizeLimit,
                                 String location) {
    }

    @GetMapping
    Map<String, List<DatabaseView>> list(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                         @RequestParam(required = false) String group) {
        return Map.of("databases", databases.list(authorizer.require(caller, org, Action.READ), group));
    }

    @PostMapping
    Map<String, DatabaseView.Created> create(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                             @RequestBody(required = false) CreateDatabaseRequest body) {
        Organization o = authorizer.require(caller, org, Action.DATABASE_CREATE);
        CreateDatabaseRequest b = body != null ? body : new CreateDatabaseRequest(null, null, null, null, null);
        Database db = databases.create(o, b.name(), b.group(), b.sizeLimit());
        return Map.of("database", new DatabaseView.Created(db.id(), databases.hostname(o, db.name()), db.name()));
    }

    @GetMapping("/{db}")
    Map<String, DatabaseView> get(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db) {
        return Map.of("database", databases.view(authorizer.require(caller, org, Action.READ), db));
    }

    @DeleteMapping("/{db}")
    Map<String, String> delete(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db) {
        return Map.of("database", databases.delete(authorizer.require(caller, org, Action.DATABASE_DELETE), db).name());
    }

    @GetMapping("/{db}/configuration")
    DatabaseConfiguration configuration(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                        @PathVariable String db) {
        return databases.configuration(authorizer.require(caller, org, Action.READ), db);
    }

    /** Any subset of the configuration keys; absent or null = unchanged (lists: null clears). */
    @PatchMapping("/{db}/configuration")
    DatabaseConfiguration configure(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                    @PathVariable String db, @RequestBody(required = false) Map<String, Object> body) {
        return databases.configure(authorizer.require(caller, org, Action.DATABASE_CONFIGURE), db, body);
    }

    @GetMapping("/{db}/instances")
    Map<String, List<InstanceView>> instances(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                              @PathVariable String db) {
        return Map.of("instances", databases.instances(authorizer.require(caller, org, Action.READ), db));
    }

    @GetMapping("/{db}/instances/{instance}")
    Map<String, InstanceView> instance(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                       @PathVariable String db, @PathVariable String instance) {
        return Map.of("instance", databases.instance(authorizer.require(caller, org, Action.READ), db, instance));
    }

    /** npm {@code updateVersion}: there is one server version; nothing to update. */
    @PostMapping("/{db}/update")
    Map<String, Object> update(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db) {
        databases.get(authorizer.require(caller, org, Action.DATABASE_CONFIGURE), db);
        return Map.of();
    }

    /** CLI {@code db unarchive}: databases are never archived here. */
    @PostMapping("/{db}/wakeup")
    Map<String, Object> wakeup(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db) {
        databases.get(authorizer.require(caller, org, Action.DATABASE_CONFIGURE), db);
        return Map.of();
    }
}
