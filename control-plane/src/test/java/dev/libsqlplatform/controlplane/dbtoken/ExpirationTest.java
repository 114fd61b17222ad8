package dev.libsqlplatform.controlplane.dbtoken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExpirationTest {

    @Test
    void neverAndItsAliases() {
        assertThat(Expiration.parse(null)).isEmpty();
        assertThat(Expiration.parse("never")).isEmpty();
        assertThat(Expiration.parse("none")).isEmpty();
        assertThat(Expiration.parse("default")).isEmpty();
        assertThat(Expiration.parse("")).isEmpty();
    }

    @Test
    void concatenatedUnits() {
        assertThat(Expiration.parse("5m")).contains(Duration.ofMinutes(5));
        assertThat(Expiration.parse("1h")).contains(Duration.ofHours(1));
        assertThat(Expiration.parse("2d")).contains(Duration.ofDays(2));
        assertThat(Expiration.parse("2w")).contains(Duration.ofDays(14));
        assertThat(Expiration.parse("30s")).contains(Duration.ofSeconds(30));
        assertThat(Expiration.parse("1w2d6h3m")).contains(Duration.ofDays(9).plusHours(6).plusMinutes(3));
        assertThat(Expiration.parse("2w1d30m")).contains(Duration.ofDays(15).plusMinutes(30));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1w2d6h3n", "3y", "d", "1", "-1d", "1.5h", "0d", "1 d", "99999999999999999999d", "never1d"})
    void invalid(String value) {
        assertThatThrownBy(() -> Expiration.parse(value))
                .isInstanceOf(ApiException.class)
                .hasMessage("Invalid expiration format")
                .satisfies(e -> assertThat(((ApiException) e).error()).isEqualTo(ApiError.EXPIRATION_INVALID));
    }

    @Test
    void authorizationMapsToAccess() {
        assertThat(DatabaseTokenService.access(null)).isEqualTo("rw");
        assertThat(DatabaseTokenService.access("full-access")).isEqualTo("rw");
        assertThat(DatabaseTokenService.access("read-only")).isEqualTo("ro");
        assertThatThrownBy(() -> DatabaseTokenService.access("admin")).isInstanceOf(ApiException.class);
    }
}
