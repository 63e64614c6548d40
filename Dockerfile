# ovhtui headless in a container: a static binary (CGO_ENABLED=0) on an
# empty image, run as a non-root user, with the preferences folder as a
# volume. Credentials and OVHTUI_NOTIFY come from the environment (see
# compose.yaml and the README's "Containers" section).
#
#   docker build -t ovhtui --build-arg VERSION=$(git describe --always) .

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/ovhtui . \
 && mkdir -p /out/data

FROM scratch
# TLS roots for api.ovh.com and the notification services.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/ovhtui /ovhtui
COPY --from=build --chown=65532:65532 /out/data /data
# The folder of preferences.json (not the file alone: saves rename a temp
# file over it, and the lock file lives beside it). The catalog cache goes
# there too.
VOLUME /data
WORKDIR /data
ENV HOME=/data XDG_CACHE_HOME=/data/.cache
USER 65532:65532
ENTRYPOINT ["/ovhtui"]
# Credentials from the environment; /data/.env is read if present.
CMD ["--headless", "--prefs", "/data/preferences.json", "--env", "/data/.env"]
