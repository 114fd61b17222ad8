/**
 * How requests without an organization reach one: org-less CLI routes and the empty slug of
 * {@code /v1/organizations//...} are forwarded to the caller's own organization, so every rule of the org-scoped
 * route applies. The role check itself is {@code organization.Authorizer}.
 */
package dev.libsqlplatform.controlplane.access;
