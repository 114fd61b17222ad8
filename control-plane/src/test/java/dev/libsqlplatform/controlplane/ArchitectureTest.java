package dev.libsqlplatform.controlplane;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.springframework.data.repository.Repository;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;

/**
 * The control plane's module boundaries (docs/internals.md "Control plane modules"). Every rule here fails on a
 * one-line change; the README's Testing section shows one such change per rule.
 */
class ArchitectureTest {

    static final String ROOT = "dev.libsqlplatform.controlplane";

    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    /** Infrastructure every feature module may use; it uses none of them. */
    static final String[] FOUNDATION = {ROOT + ".config..", ROOT + ".metadata..", ROOT + ".web..", ROOT + ".security.."};

    /**
     * Feature packages form a directed graph: a module reacting to another listens to its event (GroupKeys on
     * GroupCreated, DatabaseKeys on DatabaseEvents.Created, UsageService on UsageReported), and a lower module that
     * needs a service of a higher one owns the interface (security.PlatformTokens, user.FirstTokens).
     */
    @Test
    void featurePackagesAreFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void foundationDependsOnNoFeatureModule() {
        classes().that().resideInAnyPackage(FOUNDATION)
                .should().onlyDependOnClassesThat(resideOutsideOfPackage(ROOT + "..").or(resideInAnyPackage(FOUNDATION)))
                .check(CLASSES);
    }

    /**
     * The pom keeps the data plane out of the control plane's classpath; this rule is the guard for the day someone
     * adds it (the shared types live in platform-contract).
     */
    @Test
    void neverImportsTheDataPlane() {
        noClasses().should().dependOnClassesThat().resideInAPackage("dev.libsqlplatform.dataplane..")
                .check(CLASSES);
    }

    /**
     * Workers are reached over HTTP by the reconciler's client only, never from a request thread. The one exception is
     * the dashboard's SQL console (dashboard.SqlConsole): it is not a control-plane call but a tenant's SQL, sent to the
     * worker's public Hrana endpoint with a database token, as {@code @libsql/client} would send it.
     */
    @Test
    void onlyPlacementCallsWorkers() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".placement..")
                .and().doNotHaveFullyQualifiedName(ROOT + ".dashboard.SqlConsole")
                .should().dependOnClassesThat().haveFullyQualifiedName("java.net.http.HttpClient")
                .orShould().dependOnClassesThat().resideInAPackage("org.springframework.web.client..")
                .check(CLASSES);
    }

    @Test
    void controllersHaveNoSqlAndNoRepositories() {
        noClasses().that().areAnnotatedWith(RestController.class)
                .should().dependOnClassesThat().areAssignableTo(Repository.class)
                .orShould().dependOnClassesThat().areAssignableTo(JdbcOperations.class)
                .orShould().dependOnClassesThat().areAssignableTo(NamedParameterJdbcOperations.class)
                .orShould().dependOnClassesThat().haveFullyQualifiedName("org.springframework.data.jdbc.core.JdbcAggregateTemplate")
                .check(CLASSES);
    }

    /**
     * A repository is its module's private persistence: other modules go through the module's service. The
     * reconciler's use of DatabaseRepository (pending and placement bookkeeping) is the one exception left.
     */
    @Test
    void repositoriesAreUsedOnlyInTheirOwnModule() {
        classes().that().areAssignableTo(Repository.class).and().areInterfaces()
                .should(onlyBeUsedInTheirOwnPackage("dev.libsqlplatform.controlplane.placement.Reconciler"))
                .check(CLASSES);
    }

    @Test
    void controllersArePackagePrivate() {
        noClasses().that().areAnnotatedWith(RestController.class).should().bePublic().check(CLASSES);
    }

    /** Organizations reach controllers only through the Authorizer (the one role check). */
    @Test
    void controllersResolveOrganizationsOnlyThroughTheAuthorizer() {
        noClasses().that().areAnnotatedWith(RestController.class)
                .should().callMethod(dev.libsqlplatform.controlplane.organization.OrganizationService.class, "bySlug", String.class)
                .orShould().callMethod(dev.libsqlplatform.controlplane.organization.OrganizationService.class, "ownOrganization",
                        dev.libsqlplatform.controlplane.security.Caller.class)
                .check(CLASSES);
    }

    /**
     * {@code web/} maps errors to HTTP in one place (ApiExceptionHandler, ErrorResponses for filters): everything else
     * throws {@code ApiError.X.exception(...)} and never picks a status or writes an error body itself.
     */
    @Test
    void onlyWebMapsExceptionsToHttp() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".web..")
                .should().beAnnotatedWith(ControllerAdvice.class)
                .orShould().beAnnotatedWith(RestControllerAdvice.class)
                .orShould().beAnnotatedWith(ResponseStatus.class)
                .orShould().dependOnClassesThat().areAssignableTo(ResponseStatusException.class)
                .orShould().dependOnClassesThat().areAssignableTo(ResponseEntity.class)
                .orShould().callMethod(HttpServletResponse.class, "setStatus", int.class)
                .orShould().callMethod(HttpServletResponse.class, "sendError", int.class)
                .orShould().callMethod(HttpServletResponse.class, "sendError", int.class, String.class)
                .check(CLASSES);
        noMethods().that().areDeclaredInClassesThat().resideOutsideOfPackage(ROOT + ".web..")
                .should().beAnnotatedWith(ExceptionHandler.class)
                .orShould().beAnnotatedWith(ResponseStatus.class)
                .check(CLASSES);
    }

    /**
     * The OpenAPI document names a body's schema by the simple class name, so two body records of one name (say two
     * {@code CreateTokenRequest}s) would silently share one schema and misdescribe a route. Walks every controller
     * route's return type and request body through record components, lists and maps. platform-contract's records
     * are left out: only the internal routes use them, and those are not in the document.
     */
    @Test
    void bodyTypesHaveUniqueSimpleNames() {
        java.util.Map<String, java.util.Set<Class<?>>> byName = new java.util.TreeMap<>();
        for (JavaClass controller : CLASSES) {
            if (!controller.isAnnotatedWith(RestController.class)) {
                continue;
            }
            for (java.lang.reflect.Method m : controller.reflect().getDeclaredMethods()) {
                collectBodyTypes(m.getGenericReturnType(), byName);
                for (java.lang.reflect.Parameter p : m.getParameters()) {
                    if (p.isAnnotationPresent(org.springframework.web.bind.annotation.RequestBody.class)) {
                        collectBodyTypes(p.getParameterizedType(), byName);
                    }
                }
            }
        }
        byName.values().removeIf(types -> types.size() < 2);
        org.assertj.core.api.Assertions.assertThat(byName).as("body records sharing a simple name").isEmpty();
    }

    private static void collectBodyTypes(java.lang.reflect.Type type, java.util.Map<String, java.util.Set<Class<?>>> byName) {
        if (type instanceof java.lang.reflect.ParameterizedType pt) {
            for (java.lang.reflect.Type arg : pt.getActualTypeArguments()) {
                collectBodyTypes(arg, byName);
            }
        } else if (type instanceof Class<?> c && c.isRecord() && c.getName().startsWith(ROOT + ".")) {
            if (byName.computeIfAbsent(c.getSimpleName(), k -> new java.util.HashSet<>()).add(c)) {
                for (java.lang.reflect.RecordComponent rc : c.getRecordComponents()) {
                    collectBodyTypes(rc.getGenericType(), byName);
                }
            }
        }
    }

    private static ArchCondition<JavaClass> onlyBeUsedInTheirOwnPackage(String... allowedUsers) {
        java.util.Set<String> allowed = java.util.Set.of(allowedUsers);
        return new ArchCondition<>("only be used in their own package") {
            @Override
            public void check(JavaClass repository, ConditionEvents events) {
                for (Dependency d : repository.getDirectDependenciesToSelf()) {
                    JavaClass user = d.getOriginClass();
                    String userName = user.getName().replaceAll("\\$.*", "");
                    if (!user.getPackageName().equals(repository.getPackageName()) && !allowed.contains(userName)) {
                        events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                    }
                }
            }
        };
    }
}
