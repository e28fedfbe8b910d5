# batch-invite in a container image: built with Swift 6 (its runtime linked into the
# binary), run on Debian slim with the libraries the binary needs and nothing else.
#
#   docker build -t batch-invite .
#   docker run --rm -v "$PWD:/data" batch-invite validate /data/people.csv --target sendoso
#   docker run --rm -e BATCH_INVITE_TOKEN -v "$PWD:/data" batch-invite run /data/people.csv ...
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
COPY Package.swift ./
COPY Sources ./Sources
RUN swift build -c release --static-swift-stdlib \
    && install -D -m 0755 "$(swift build -c release --static-swift-stdlib --show-bin-path)/batch-invite" \
        /out/batch-invite

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
