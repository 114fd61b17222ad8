package dev.libsqlplatform.contract.hostname;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostnameLabelTest {

    @Test
    void theLabelIsDatabaseDashOrganizationLowercased() {
        assertThat(HostnameLabel.of("shop", "acme")).isEqualTo("shop-acme");
        assertThat(HostnameLabel.of("Shop", "ACME")).isEqualTo("shop-acme");
        // two databases of different organizations can share a label: uniqueness is enforced by both sides
        assertThat(HostnameLabel.of("shop-prod", "acme")).isEqualTo(HostnameLabel.of("shop", "prod-acme"));
    }

    @Test
    void aLabelIsOneDnsLabel() {
        String org = "o".repeat(10);
        assertThat(HostnameLabel.maxDatabaseNameLength(org)).isEqualTo(52);
        assertThat(HostnameLabel.isValid("d".repeat(52), org)).isTrue();
        assertThat(HostnameLabel.isValid("d".repeat(53), org)).isFalse();
        assertThat(HostnameLabel.isValid("Shop", "acme")).isFalse();
        assertThat(HostnameLabel.isValid("-shop", "acme")).isFalse();
        assertThat(HostnameLabel.isValid("shop", "acme-")).isFalse();
        assertThat(HostnameLabel.isValid("s", "a")).isTrue();
        assertThat(HostnameLabel.isValidName(null)).isFalse();
    }

    @Test
    void aHostNamesALabelOnlyDirectlyUnderTheBaseDomain() {
        HostnameLabel.BaseDomain domain = new HostnameLabel.BaseDomain("DB.Example.com");
        assertThat(domain.hostname("shop-acme")).isEqualTo("shop-acme.db.example.com");
        assertThat(domain.labelOf("shop-acme.db.example.com")).isEqualTo("shop-acme");
        assertThat(domain.labelOf("Shop-Acme.DB.example.com.:8443")).isEqualTo("shop-acme");
        assertThat(domain.labelOf("a.shop-acme.db.example.com")).isNull();
        assertThat(domain.labelOf("db.example.com")).isNull();
        assertThat(domain.labelOf(".db.example.com")).isNull();
        assertThat(domain.labelOf("shop-acme.other.com")).isNull();
        assertThat(domain.labelOf("127.0.0.1:8081")).isNull();
        assertThat(domain.labelOf("10.0.0.1")).isNull();
        assertThat(domain.labelOf("[::1]:8081")).isNull();
        assertThat(domain.labelOf("  ")).isNull();
        assertThat(domain.labelOf(null)).isNull();
        assertThat(new HostnameLabel.BaseDomain("localhost").labelOf("shop-acme.localhost:8081")).isEqualTo("shop-acme");
    }
}
