# batch-invite in a container image: built with Swift 6 (its runtime linked into the
# binary) as `make release` builds it, run on Debian slim with the libraries the binary
# needs and nothing else. The image's tag is the version (VERSION; `make image` does this):
#
#   docker build -t batch-invite:1.0.0 .
#   docker run --rm -v "$PWD:/data" batch-invite:1.0.0 validate /data/people.csv --target sendoso
#   docker run --rm -e BATCH_INVITE_TOKEN -v "$PWD:/data" batch-invite:1.0.0 run /data/people.csv ...
#
# The runtime packages are those of the libraries the binary links (`readelf -d`) and the
# one it opens when it first sends (`dlopen`): libcsv3, libcurl4 (which brings OpenSSL,
# nghttp2 and the rest) and libstdc++6 (the Swift runtime, linked in statically, still
# needs the C++ library); libc6 and libgcc-s1 are in every Debian image. A test checks the
# list against the libraries the binary loads and opens.

FROM swift:6.3-bookworm AS build
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcsv-dev libcurl4-openssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift VERSION ./
COPY Sources ./Sources
# The Makefile's release build (RELEASE_FLAGS, then strip), and its check that the binary
# says VERSION's version.
RUN swift build -c release --static-swift-stdlib -Xlinker -z -Xlinker now \
    && mkdir /out \
    && strip --remove-section=.comment -o /out/batch-invite \
        "$(swift build -c release --static-swift-stdlib -Xlinker -z -Xlinker now --show-bin-path)/batch-invite" \
    && test "$(/out/batch-invite --version)" = "batch-invite $(cat VERSION)"

FROM debian:bookworm-slim
# Unpinned on purpose: a rebuild takes Debian's security updates of curl and OpenSSL.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcsv3 libcurl4 libstdc++6 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --home-dir /data batch-invite
COPY --from=build /out/batch-invite /usr/local/bin/batch-invite
COPY deploy/batch-invite-nightly /usr/local/bin/batch-invite-nightly
USER 10001:10001
WORKDIR /data
ENTRYPOINT ["batch-invite"]
CMD ["--help"]
