/** The service secret and its shared file (docs/internals.md "Shared secret between control plane and workers"). */
package dev.libsqlplatform.contract.secret;
