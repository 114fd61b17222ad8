package dev.libsqlplatform.dataplane;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.libsqlplatform.dataplane");

    @Test
    void neverImportsTheControlPlane() {
        noClasses().should().dependOnClassesThat().resideInAPackage("dev.libsqlplatform.controlplane..")
                .check(CLASSES);
    }

    @Test
    void protocolIsSeparateFromTransport() {
        noClasses().that().resideInAPackage("..dataplane.hrana..")
                .should().dependOnClassesThat().resideInAnyPackage("..dataplane.http..", "jakarta.servlet..",
                        "org.springframework.web..", "org.springframework.http..")
                .check(CLASSES);
    }

    @Test
    void replicationProtocolIsSeparateFromTransportAndSqlite() {
        noClasses().that().resideInAPackage("..dataplane.replication..")
                .should().dependOnClassesThat().resideInAnyPackage("..dataplane.http..", "jakarta.servlet..",
                        "org.springframework.web..", "org.springframework.http..", "org.sqlite..")
                .check(CLASSES);
    }

    @Test
    void storageAndSqlKnowNothingOfProtocolOrTransport() {
        noClasses().that().resideInAnyPackage("..dataplane.storage..", "..dataplane.sql..")
                .should().dependOnClassesThat().resideInAnyPackage("..dataplane.hrana..", "..dataplane.http..",
                        "..dataplane.auth..", "..dataplane.admin..", "..dataplane.replication..")
                .check(CLASSES);
    }

    /** sqlite-jdbc's internals (and its exception types) are storage's business: StatementRunner, SqliteErrors. */
    @Test
    void protocolDoesNotTouchSqliteJdbc() {
        noClasses().that().resideInAPackage("..dataplane.hrana..")
                .should().dependOnClassesThat().resideInAPackage("org.sqlite..")
                .because("the statement runner in storage alone steps statements through sqlite-jdbc")
                .check(CLASSES);
    }

    /** Metering listens to execution (StatementListener); execution never calls metering. */
    @Test
    void storageDoesNotCallMetering() {
        noClasses().that().resideInAPackage("..dataplane.storage..")
                .should().dependOnClassesThat().resideInAPackage("..dataplane.usage..")
                .because("usage counters are attached to storage as a StatementListener")
                .check(CLASSES);
    }

    @Test
    void featurePackagesAreFreeOfCycles() {
        slices().matching("dev.libsqlplatform.dataplane.(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
