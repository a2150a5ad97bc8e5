# syntax=docker/dockerfile:1
# The Lambda Platform's one image: speed layer, serving layer, batch job (Spark local mode or spark-submit client),
# event generator and the provisioning of topics, schema and bucket. The command picks one:
#
#   docker build -t lambda-platform:0.1.0-SNAPSHOT .
#   docker run --rm lambda-platform:0.1.0-SNAPSHOT help
#
# docker-compose.yml runs the whole platform from it; docs/docker.md explains both.

# Java 17, the release the build targets, at the patch level the build is verified with.
ARG JDK_IMAGE=eclipse-temurin:17.0.15_6-jdk-noble
ARG JRE_IMAGE=eclipse-temurin:17.0.15_6-jre-noble

FROM ${JDK_IMAGE} AS build
WORKDIR /src
# The Maven wrapper pins Maven itself; the cache mount keeps ~/.m2 between builds (BuildKit).
COPY . .
RUN --mount=type=cache,target=/root/.m2 docker/assemble.sh /opt/lambda

FROM ${JRE_IMAGE}
LABEL org.opencontainers.image.title="Lambda Platform" \
      org.opencontainers.image.description="Batch (Spark), speed (Kafka Streams) and serving layers over Kafka, Cassandra and S3" \
      org.opencontainers.image.version="0.1.0-SNAPSHOT" \
      org.opencontainers.image.licenses="Apache-2.0"

# A fixed non-root user; /var/lib/lambda is where the speed layer keeps its Kafka Streams state (a named volume in
# docker-compose.yml inherits this ownership). curl (for the health checks) comes with the base image.
RUN groupadd --system --gid 10001 lambda \
 && useradd --system --uid 10001 --gid lambda --create-home --home-dir /home/lambda --shell /usr/sbin/nologin lambda \
 && mkdir -p /var/lib/lambda \
 && chown lambda:lambda /var/lib/lambda

COPY --from=build /opt/lambda /opt/lambda

ENV LAMBDA_HOME=/opt/lambda \
    TZ=UTC
USER lambda:lambda
WORKDIR /home/lambda
# 8080: serving layer (HTTP API, dashboard); 8081: speed layer (health, Prometheus metrics)
EXPOSE 8080 8081
ENTRYPOINT ["/opt/lambda/bin/lambda-container"]
CMD ["help"]
