# mlci as a GitHub Actions container action and a GitLab CI job image.
#
# The first stage builds a static binary with the flags of `make build`; the
# second is a small Python image with git, where the usual training commands
# (python3, pip) run. To run mlci in another image (a CUDA image, say), copy
# the binary in: see docs/github.md, "Another image".
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
RUN CGO_ENABLED=0 go build -trimpath \
	-ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
	-o /out/mlci ./cmd/mlci

FROM python:3.12-slim
# GitHub runs a container action as root with the workspace mounted at
# /github/workspace, owned by another user: git must trust it.
RUN apt-get update \
	&& apt-get install -y --no-install-recommends git ca-certificates \
	&& rm -rf /var/lib/apt/lists/* \
	&& git config --system --add safe.directory '*'
COPY --from=build /out/mlci /usr/local/bin/mlci
ENTRYPOINT ["mlci"]
CMD ["ci"]
