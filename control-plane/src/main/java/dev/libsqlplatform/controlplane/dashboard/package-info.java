/**
 * The admin web dashboard, served by the control plane at {@code /dashboard} ({@code /} redirects there):
 * server-rendered Thymeleaf pages ({@code templates/dashboard/}) over the SAME services and the SAME
 * {@code Authorizer} roles as the Platform API. Controllers are package-private and thin (authorize through
 * {@link dev.libsqlplatform.controlplane.dashboard.Shells}, call one page service, return a view); the page services
 * compose the feature services and never touch tables themselves. Sign-in, sessions and CSRF are the
 * {@code security} package's (DashboardSecurityConfig); errors become pages in {@code web.DashboardErrorPages}.
 * The SQL console is the one place that talks to a worker from a request: it is a Hrana client of the data plane
 * holding a one-minute database token, exactly what {@code @libsql/client} would do.
 */
package dev.libsqlplatform.controlplane.dashboard;
