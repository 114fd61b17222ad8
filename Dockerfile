# syntax=docker/dockerfile:1
#
# Images of the platform, built from this repository's sources:
#
#   docker build --target control-plane -t libsql-platform/control-plane .
#   docker build --target worker        -t libsql-platform/worker .
#
# Both targets share one build stage (the Maven reactor, including the worker's SQLite engine, which
# data-plane/src/main/native/build.sh compiles with gcc) and one runtime base (a current JRE, non-root user
# 10001, curl for the health check, a small entrypoint). The compose file and the Helm chart use these targets.

ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17-noble
ARG RUNTIME_IMAGE=eclipse-temurin:25-jre-noble

# ---------------------------------------------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build
# gcc and libc6-dev compile the worker's SQLite engine; curl and openssl fetch and check the amalgamation;
# patch applies its one source patch (libSQL's RANDOM ROWID).
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc libc6-dev curl openssl ca-certificates patch \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The Maven repository and the compiled engine are cached between builds (BuildKit cache mounts).
RUN --mount=type=cache,target=/root/.m2 \
    --mount=type=cache,target=/root/.cache/libsql-platform \
    mvn -B -ntp -q -DskipTests -pl control-plane,data-plane -am package \
 && mkdir -p /out \
 && cp control-plane/target/control-plane.jar data-plane/target/data-plane.jar /out/

# ---------------------------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 libsql \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/libsql-platform --shell /usr/sbin/nologin libsql \
 && mkdir -p /var/lib/libsql-platform/control-plane /var/lib/libsql-platform/worker /var/lib/libsql-platform/secrets /opt/libsql-platform \
 && chown -R 10001:10001 /var/lib/libsql-platform
COPY --chmod=0755 deploy/docker-entrypoint.sh /usr/local/bin/docker-entrypoint
COPY --from=build /out/control-plane.jar /out/data-plane.jar /opt/libsql-platform/
# Listen on every interface inside the container (the apps bind 127.0.0.1 by default); secrets shared by the
# processes of one installation live under /var/lib/libsql-platform/secrets (a volume in the compose file).
ENV SERVER_ADDRESS=0.0.0.0 \
    PLATFORM_SERVICE_SECRET_FILE=/var/lib/libsql-platform/secrets/service-secret \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
USER 10001:10001
WORKDIR /var/lib/libsql-platform
ENTRYPOINT ["/usr/local/bin/docker-entrypoint"]

# ---------------------------------------------------------------------------------------------------------
FROM runtime AS control-plane
ENV SERVER_PORT=8080 \
    PLATFORM_DATA_DIR=/var/lib/libsql-platform/control-plane
VOLUME ["/var/lib/libsql-platform/control-plane"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${SERVER_PORT}/actuator/health/readiness" || exit 1
CMD ["control-plane"]

# ---------------------------------------------------------------------------------------------------------
FROM runtime AS worker
ENV SERVER_PORT=8081 \
    PLATFORM_WORKER_DATA_DIR=/var/lib/libsql-platform/worker
# one folder per database, its frame log and meta.json: keep it on a persistent volume
VOLUME ["/var/lib/libsql-platform/worker"]
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${SERVER_PORT}/actuator/health/readiness" || exit 1
CMD ["worker"]
