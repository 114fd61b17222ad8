/**
 * Organizations and who may act in them: memberships, roles, the {@link dev.libsqlplatform.controlplane.organization.Authorizer}
 * every organization-scoped controller calls, and the name rules shared by everything with a hostname label.
 * Depends only on the foundation packages, so every feature module may use it.
 */
package dev.libsqlplatform.controlplane.organization;
