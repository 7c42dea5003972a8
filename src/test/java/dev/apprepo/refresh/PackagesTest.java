package dev.apprepo.refresh;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages' layers: support (metrics, headers, digests, names, config files) uses none of the others;
 * kubernetes uses only support; receiver and http build on those; the root package wires them all; quarkus and dev
 * are the Quarkus service around it. No package uses one that uses it.
 */
class PackagesTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.apprepo.refresh");

    @Test
    void noPackageUsesOneThatUsesIt() {
        slices().matching("dev.apprepo.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void supportIsALeaf() {
        noClasses().that().resideInAPackage("dev.apprepo.refresh.support").should().dependOnClassesThat()
                .resideInAnyPackage("dev.apprepo.refresh", "dev.apprepo.refresh.kubernetes",
                        "dev.apprepo.refresh.receiver", "dev.apprepo.refresh.http", "dev.apprepo.refresh.quarkus",
                        "dev.apprepo.refresh.dev")
                .check(CLASSES);
    }

    @Test
    void kubernetesNeedsOnlySupport() {
        noClasses().that().resideInAPackage("dev.apprepo.refresh.kubernetes").should().dependOnClassesThat()
                .resideInAnyPackage("dev.apprepo.refresh", "dev.apprepo.refresh.receiver", "dev.apprepo.refresh.http",
                        "dev.apprepo.refresh.quarkus", "dev.apprepo.refresh.dev")
                .check(CLASSES);
    }

    @Test
    void plainCamelNeedsNoQuarkus() {
        noClasses().that().resideOutsideOfPackages("dev.apprepo.refresh.quarkus..", "dev.apprepo.refresh.dev..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta.enterprise..")
                .check(CLASSES);
    }
}
