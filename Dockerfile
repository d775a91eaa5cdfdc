# The marketplace as a container image: one static binary, run as a user
# without privileges, in an image with nothing else but CA certificates.
# docker build --build-arg VERSION=$(git describe --always) -t cooptrade/marketplace .

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
# Modules first, so that a change of the sources alone reuses their layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# No cgo (the SQLite of the embedded database is pure Go), so the binary
# runs on an empty image; timetzdata carries the time zones with it.
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata \
        -ldflags "-s -w -X main.version=${VERSION}" \
        -o /out/marketplace ./cmd/marketplace \
    && mkdir -p /out/data

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/marketplace /usr/local/bin/marketplace
# DATA_DIR: the embedded database, search index and key, when no MongoDB,
# Meilisearch or SECRET_KEY is configured. Owned by the user below.
COPY --from=build --chown=65532:65532 /out/data /data
ENV DATA_DIR=/data \
    HTTP_ADDR=:8080
USER 65532:65532
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=6s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/marketplace", "healthcheck", "serve"]
ENTRYPOINT ["/usr/local/bin/marketplace"]
CMD ["serve"]
