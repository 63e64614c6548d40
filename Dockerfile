# ovhtui in a container: a static binary (CGO_ENABLED=0) on an empty image,
# run as a non-root user, serving its dashboard over SSH (ovhtui serve) and
# its metrics, with the state folder as a volume. Credentials and
# OVHTUI_NOTIFY come from the environment (see compose.yaml and the
# README's "Containers" section).
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
# The state folder: preferences.json (the folder, not the file alone: saves
# rename a temp file over it, and the lock file lives beside it), the
# journal, the catalog cache, authorized_keys (the SSH keys let in) and the
# SSH host key, generated on first start and reused.
VOLUME /data
WORKDIR /data
ENV HOME=/data XDG_CACHE_HOME=/data/.cache
USER 65532:65532
# SSH (the dashboard) and HTTP (/metrics, /healthz, /readyz). Inside the
# container they listen on every interface; publish them on the host's
# loopback (compose.yaml does).
EXPOSE 2222 9188
# No shell or curl in the image: ovhtui asks /healthz itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/ovhtui", "healthcheck", "http://127.0.0.1:9188/healthz"]
ENTRYPOINT ["/ovhtui"]
# Credentials from the environment; /data/.env is read if present.
CMD ["serve", "--prefs", "/data/preferences.json", "--env", "/data/.env", "--ssh", "0.0.0.0:2222", "--metrics", "0.0.0.0:9188"]
