#!/bin/sh
# Entrypoint of the platform's images (Dockerfile):
#   docker-entrypoint control-plane [--property=value ...]
#   docker-entrypoint worker        [--property=value ...]
#   docker-entrypoint init-secrets  <dir>   (compose: creates the installation's secrets once, see below)
#   docker-entrypoint <any other command>   (run as is, e.g. sh)
#
# <NAME>_FILE, for the variables listed below, reads <NAME> from a file (Docker and Kubernetes secrets
# arrive as files). PLATFORM_SERVICE_SECRET_FILE needs no help: the apps read that file themselves.
set -eu

for name in PLATFORM_ADMIN_TOKEN SPRING_DATASOURCE_PASSWORD SPRING_DATASOURCE_URL; do
  file_var="${name}_FILE"
  eval "file=\${$file_var:-}"
  if [ -n "$file" ]; then
    [ -r "$file" ] || { echo "docker-entrypoint: $file_var=$file is not readable" >&2; exit 1; }
    eval "export $name=\"\$(cat \"\$file\")\""
    unset "$file_var"
  fi
done

# Java 22+ warns (and a later release refuses) when a library calls System.load without this: the worker
# loads its own SQLite engine through sqlite-jdbc.
native_access="--enable-native-access=ALL-UNNAMED"

role="${1:-}"
case "$role" in
  control-plane)
    shift
    exec java $native_access ${JAVA_OPTS:-} -jar /opt/libsql-platform/control-plane.jar "$@"
    ;;
  worker)
    shift
    exec java $native_access ${JAVA_OPTS:-} -jar /opt/libsql-platform/data-plane.jar "$@"
    ;;
  init-secrets)
    # One-shot (compose runs it before the other services, as root): random values for what the installation
    # shares, created once and kept. Owners: 10001 = the platform's user, 999 = the postgres image's user.
    dir="${2:?usage: docker-entrypoint init-secrets <dir>}"
    mkdir -p "$dir"
    random() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }
    new_secret() { # file owner
      if [ ! -s "$1" ]; then
        umask 077
        random > "$1.tmp" && mv "$1.tmp" "$1"
      fi
      chown "$2" "$1"
      chmod 0400 "$1"
    }
    new_secret "$dir/service-secret" 10001:10001
    new_secret "$dir/postgres-password" 999:999
    # the control plane reads the same password as its own file (the postgres user cannot share it)
    if [ ! -s "$dir/control-plane-postgres-password" ]; then
      cp "$dir/postgres-password" "$dir/control-plane-postgres-password"
    fi
    chown 10001:10001 "$dir/control-plane-postgres-password"
    chmod 0400 "$dir/control-plane-postgres-password"
    chown 10001:10001 "$dir"
    chmod 0755 "$dir"
    echo "docker-entrypoint: secrets ready in $dir"
    ;;
  *)
    exec "$@"
    ;;
esac
