package dev.libsqlplatform.controlplane.database;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.EmptyResponse;
import dev.libsqlplatform.controlplane.web.ErrorAnswers;
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
     * Reference §4.4. {@code name}, {@code group} and {@code size_limit} are used; a {@code seed} is refused (400
     * {@code seed_not_supported}: branching, dumps and point-in-time copies do not exist yet, and an empty database
     * in their place would lose the user's data silently); the other documented keys (is_schema, schema, image, extensions, location, remote_encryption, use_tursodb) are accepted and ignored.
     */
    record CreateDatabaseRequest(String name, String group, Object seed,
                                 @JsonProperty("size_limit") Object sizeLimit,
                                 String location) {
    }

    // Answer bodies (reference §3.2 Database, §4.4): one record per shape so the OpenAPI document names every field.

    /**
     * {@code next_cursor}: the {@code cursor} of the next page, present only when the caller asked for a page
     * ({@code limit}) and more databases follow; clients that do not paginate get Turso's {@code {"databases": [...]}}.
     */
    record DatabasesResponse(List<DatabaseView> databases,
                             @JsonProperty("next_cursor") @com.fasterxml.jackson.annotation.JsonInclude(
                                     com.fasterxml.jackson.annotation.JsonInclude.Include.NON_ABSENT)
                             java.util.Optional<String> nextCursor) {
    }

    record CreateDatabaseResponse(DatabaseView.Created database) {
    }

    record DatabaseResponse(DatabaseView database) {
    }

    /** The deleted database's name. */
    record DeleteDatabaseResponse(String database) {
    }

    record InstancesResponse(List<InstanceView> instances) {
    }

    record InstanceResponse(InstanceView instance) {
    }

    @GetMapping
    @ErrorAnswers(ApiError.BAD_REQUEST)
    DatabasesResponse list(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                           @RequestParam(required = false) String group,
                           @RequestParam(required = false) Integer limit,
                           @RequestParam(required = false) String cursor) {
        DatabaseService.Page page = databases.page(authorizer.require(caller, org, Action.READ), group, cursor,
                limit == null ? 0 : limit < 1 ? -1 : limit);
        return new DatabasesResponse(page.databases(), java.util.Optional.ofNullable(page.nextCursor()));
    }

    @PostMapping
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.NAME_INVALID, ApiError.UNKNOWN_GROUP, ApiError.SIZE_LIMIT_INVALID,
            ApiError.DATABASE_LIMIT_REACHED, ApiError.DATABASE_EXISTS, ApiError.HOSTNAME_TAKEN,
            ApiError.SEED_NOT_SUPPORTED})
    CreateDatabaseResponse create(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                             @RequestBody(required = false) CreateDatabaseRequest body) {
        Organization o = authorizer.require(caller, org, Action.DATABASE_CREATE);
        CreateDatabaseRequest b = body != null ? body : new CreateDatabaseRequest(null, null, null, null, null);
        Database db = databases.create(o, b.name(), b.group(), b.sizeLimit(), b.seed());
        return new CreateDatabaseResponse(new DatabaseView.Created(db.id(), databases.hostname(o, db.name()), db.name()));
    }

    @GetMapping("/{db}")
    @ErrorAnswers(ApiError.DATABASE_NOT_FOUND)
    DatabaseResponse get(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db) {
        return new DatabaseResponse(databases.view(authorizer.require(caller, org, Action.READ), db));
    }

    @DeleteMapping("/{db}")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.DATABASE_NOT_FOUND, ApiError.DELETE_PROTECTED})
    DeleteDatabaseResponse delete(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db) {
        return new DeleteDatabaseResponse(databases.delete(authorizer.require(caller, org, Action.DATABASE_DELETE), db).name());
    }

    @GetMapping("/{db}/configuration")
    @ErrorAnswers(ApiError.DATABASE_NOT_FOUND)
    DatabaseConfiguration configuration(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                        @PathVariable String db) {
        return databases.configuration(authorizer.require(caller, org, Action.READ), db);
    }

    /** Any subset of the configuration keys; absent or null = unchanged (lists: null clears). */
    @PatchMapping("/{db}/configuration")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.DATABASE_NOT_FOUND, ApiError.BAD_REQUEST, ApiError.SIZE_LIMIT_INVALID,
            ApiError.ALLOWED_IPS_INVALID, ApiError.ATTACH_NOT_SUPPORTED})
    DatabaseConfiguration configure(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                    @PathVariable String db, @RequestBody(required = false) Map<String, Object> body) {
        return databases.configure(authorizer.require(caller, org, Action.DATABASE_CONFIGURE), db, body);
    }

    @GetMapping("/{db}/instances")
    @ErrorAnswers(ApiError.DATABASE_NOT_FOUND)
    InstancesResponse instances(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                              @PathVariable String db) {
        return new InstancesResponse(databases.instances(authorizer.require(caller, org, Action.READ), db));
    }

    @GetMapping("/{db}/instances/{instance}")
    @ErrorAnswers({ApiError.DATABASE_NOT_FOUND, ApiError.INSTANCE_NOT_FOUND})
    InstanceResponse instance(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                       @PathVariable String db, @PathVariable String instance) {
        return new InstanceResponse(databases.instance(authorizer.require(caller, org, Action.READ), db, instance));
    }

    /** npm {@code updateVersion}: there is one server version; nothing to update. */
    @PostMapping("/{db}/update")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.DATABASE_NOT_FOUND})
    EmptyResponse update(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db) {
        databases.get(authorizer.require(caller, org, Action.DATABASE_CONFIGURE), db);
        return EmptyResponse.INSTANCE;
    }

    /** CLI {@code db unarchive}: databases are never archived here. */
    @PostMapping("/{db}/wakeup")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.DATABASE_NOT_FOUND})
    EmptyResponse wakeup(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db) {
        databases.get(authorizer.require(caller, org, Action.DATABASE_CONFIGURE), db);
        return EmptyResponse.INSTANCE;
    }
}
