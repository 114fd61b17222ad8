package dev.libsqlplatform.controlplane.dashboard;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Admin dashboard ({@code platform.dashboard.*}).
 *
 * @param pageSize        databases per page of the list ({@code 50})
 * @param consoleRowLimit rows the SQL console shows of one result; the rest is counted, not shown ({@code 500})
 * @param consoleTimeout  how long the SQL console waits for the worker ({@code 30s})
 */
@ConfigurationProperties("platform.dashboard")
record DashboardProperties(Integer pageSize, Integer consoleRowLimit, Duration consoleTimeout) {

    DashboardProperties {
        pageSize = pageSize != null && pageSize > 0 ? pageSize : 50;
        consoleRowLimit = consoleRowLimit != null && consoleRowLimit > 0 ? consoleRowLimit : 500;
        consoleTimeout = consoleTimeout != null ? consoleTimeout : Duration.ofSeconds(30);
    }
}
