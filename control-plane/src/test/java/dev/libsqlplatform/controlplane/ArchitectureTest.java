package dev.libsqlplatform.controlplane;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.data.repository.Repository;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.web.bind.annotation.RestController;

class ArchitectureTest {

    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.libsqlplatform.controlplane");

    @Test
    void neverImportsTheDataPlane() {
        noClasses().should().dependOnClassesThat().resideInAPackage("dev.libsqlplatform.dataplane..")
                .check(CLASSES);
    }

    @Test
    void featurePackagesAreFreeOfCycles() {
        slices().matching("dev.libsqlplatform.controlplane.(*)..").should().beFreeOfCycles().check(CLASSES);
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
}
