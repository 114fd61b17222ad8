package dev.libsqlplatform.controlplane.database;

import java.util.List;
import java.util.Map;

import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/organizations/{org}/databases")
class DatabaseController {

    private final OrganizationService organizations;
    private final DatabaseService databases;

    DatabaseController(OrganizationService organizations, DatabaseService databases) {
        this.organizations = organizations;
        this.databases = databases;
    }

    /**
     * Reference §4.4. Only {@code name} and {@code group} are used; the other documented keys (seed, size_limit,
     * is_schema, schema, image, extensions, location, remote_encryption, use_tursodb) are accepted and ignored.
     */
    record CreateDatabaseRequest(String name, String group, Object seed,
                                 @com.fasterxml.jackson.annotation.JsonProperty("size_limit") Object sizeLimit,
                                 String location) {
    }

    @GetMapping
    Map<String, List<DatabaseView>> list(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                         @RequestParam(required = false) String group) {
        return Map.of("databases", databases.list(organizations.requireMember(caller, org), group));
    }

    @PostMapping
    Map<String, DatabaseView.Created> create(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                             @RequestBody(required = false) CreateDatabaseRequest body) {
        Organization o = organizations.requireMember(caller, org);
        CreateDatabaseRequest b = body != null ? body : new CreateDatabaseRequest(null, null, null, null, null);
        Database db = databases.create(o, b.name(), b.group());
        return Map.of("database", new DatabaseView.Created(db.id(), databases.hostname(o, db.name()), db.name()));
    }

    @GetMapping("/{db}")
    Map<String, DatabaseView> get(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db) {
        return Map.of("database", databases.view(organizations.requireMember(caller, org), db));
    }

    @DeleteMapping("/{db}")
    Map<String, String> delete(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db) {
        return Map.of("database", databases.delete(organizations.requireMember(caller, org), db).name());
    }
}
