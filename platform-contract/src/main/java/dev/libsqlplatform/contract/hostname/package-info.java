/** The {@code <db>-<org>} hostname label: how the control plane names it and how workers route by it. */
package dev.libsqlplatform.contract.hostname;
