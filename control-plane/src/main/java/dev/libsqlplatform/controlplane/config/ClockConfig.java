package dev.libsqlplatform.controlplane.config;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The clock of monthly windows (usage, quotas, invoices). One bean so that tests can move time to the next month
 * (a {@code @Primary} clock of their own) instead of waiting for it.
 */
@Configuration
class ClockConfig {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
