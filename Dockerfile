# graygate: build the jar with Maven, run it on a JRE as a non-root user.
#   docker build -t graygate .
#   docker run -p 80:8080 -p 443:8443 -v /etc/graygate:/etc/graygate:ro -v graygate-state:/var/lib/graygate graygate
# The configuration is /etc/graygate/graygate.yaml (a minimal one is built in); rules live in /var/lib/graygate.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
# Dependencies first, in a layer of their own, so a source change does not download them again.
RUN mvn -B -q dependency:resolve dependency:resolve-plugins
COPY src src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
# curl for the HEALTHCHECK; nothing else is added to the base image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system graygate \
    && useradd --system --gid graygate --home-dir /var/lib/graygate --shell /usr/sbin/nologin graygate \
    && mkdir -p /etc/graygate /var/lib/graygate \
    && chown graygate:graygate /var/lib/graygate
COPY --from=build /src/target/graygate.jar /opt/graygate/graygate.jar
COPY packaging/graygate.yaml /etc/graygate/graygate.yaml
USER graygate
WORKDIR /var/lib/graygate
# Why each option: README, "Running in production". The container's memory limit must exceed heap + direct memory
# + about 100 MB (metaspace, threads, code cache).
ENV GRAYGATE_JAVA_OPTS="-Xms64m -Xmx256m -XX:MaxNewSize=32m -XX:MaxDirectMemorySize=128m -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError -Dio.netty.leakDetection.level=disabled"
# Unprivileged ports inside the container; publish them as 80 and 443.
EXPOSE 8080 8443
# /health is on the admin listener (loopback by default, which the check shares); with admin.token set, pass the token
# as GRAYGATE_ADMIN_TOKEN (the config reads it too). A missing or empty token is ignored when none is configured.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS -o /dev/null -H "Authorization: Bearer ${GRAYGATE_ADMIN_TOKEN:-}" http://127.0.0.1:9090/health || exit 1
# exec: the JVM is PID 1 and gets SIGTERM (drain, exit 0) and SIGHUP (configuration and certificates reloaded) itself.
ENTRYPOINT ["/bin/sh", "-c", "exec java $GRAYGATE_JAVA_OPTS -jar /opt/graygate/graygate.jar serve --config /etc/graygate/graygate.yaml"]
