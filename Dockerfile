# syntax=docker/dockerfile:1
# RemoteK server image.
#
#   docker build -t remotek .
#   docker run --rm -p 50051:50051 \
#     -v "$PWD/deploy/docker/keras.json:/etc/remotek/keras.json:ro" remotek
#
# Build stage: exactly what CI uses — deploy/install-deps.sh, then
# deploy/build.sh (tests and benchmarks off). deploy/check-dockerfile.sh
# (CTest dockerfile_check) fails if any other RUN command appears here.
# The project has no install() rules yet, so the run stage copies the
# server, the CLI and the external backends out of the build tree into the
# prefix /opt/remotek (bin/, lib/remotek/backends/: the server looks for
# backends at bin/../lib/remotek/backends). Needs BuildKit (the default
# builder since Docker 23) for RUN --mount.

FROM debian:bookworm AS build
WORKDIR /src
# Dependencies first (a layer that survives source edits). install-deps.sh
# also runs `npm ci` for client/node, which needs the lock file.
COPY deploy/install-deps.sh deploy/install-deps.sh
COPY client/node/package.json client/node/package-lock.json client/node/
RUN bash deploy/install-deps.sh
COPY . .
# REMOTEK_AVX2=ON (the default, as in CI) compiles kernels with -mavx2 -mfma:
# the image then needs an AVX2 host. Pass --build-arg REMOTEK_AVX2=OFF for a
# portable x86-64 image.
ARG REMOTEK_AVX2=ON
RUN BUILD_DIR=/src/build bash deploy/build.sh -DREMOTEK_BUILD_TESTS=OFF -DREMOTEK_BUILD_BENCHMARKS=OFF -DREMOTEK_AVX2=${REMOTEK_AVX2}

FROM debian:bookworm-slim AS run
COPY deploy/docker/runtime-packages.txt /tmp/runtime-packages.txt
RUN apt-get update \
 && sed -e 's/#.*//' /tmp/runtime-packages.txt \
    | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt \
 && groupadd --system --gid 10001 remotek \
 && useradd --system --uid 10001 --gid remotek --home-dir /nonexistent \
      --no-create-home --shell /usr/sbin/nologin remotek

# The server, the CLI and the external backends (build/lib/remotek/backends,
# e.g. libonednn.so; empty when none is built), read straight from the build
# stage through a bind mount (BuildKit) so the build tree never becomes a
# layer. Fails the image build if a runtime library is missing.
RUN --mount=type=bind,from=build,source=/src/build,target=/mnt/build \
    install -D -m 0755 /mnt/build/server/remotek-server /opt/remotek/bin/remotek-server \
 && install -D -m 0755 /mnt/build/tools/cli/remotek /opt/remotek/bin/remotek \
 && mkdir -p /opt/remotek/lib/remotek/backends \
 && if [ -d /mnt/build/lib/remotek/backends ]; then \
      cp -a /mnt/build/lib/remotek/backends/. /opt/remotek/lib/remotek/backends/; fi \
 && if find /opt/remotek -type f \( -perm -u+x -o -name '*.so' \) -exec ldd {} + \
      | grep 'not found'; then echo 'missing runtime library' >&2; exit 1; fi
# Defaults; mount your own keras.json over it (compose, k8s ConfigMap).
COPY deploy/docker/keras.json /etc/remotek/keras.json

ENV PATH=/opt/remotek/bin:$PATH \
    REMOTEK_ADDRESS=127.0.0.1:50051
USER 10001:10001
EXPOSE 50051
# gRPC only (cleartext h2c). There is no metrics endpoint yet.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/opt/remotek/bin/remotek", "--address", "127.0.0.1:50051", "--timeout", "3", "health"]
STOPSIGNAL SIGTERM
# Extra arguments (docker run IMAGE --threads=4 ...) are appended; a later
# flag overrides an earlier one (e.g. --address=0.0.0.0:6000).
ENTRYPOINT ["/opt/remotek/bin/remotek-server", "--address=0.0.0.0:50051", "--config=/etc/remotek/keras.json"]
CMD []
