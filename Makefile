# mlci's build, test, demo and benchmark entry points.
GO       ?= go
BIN      ?= bin/mlci
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null)
# LDFLAGS are the flags of every release build; the Dockerfile uses the same.
LDFLAGS  := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build test demo bench lint docker clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/mlci

test:
	$(GO) test -race -count=1 ./...

demo: build
	$(BIN) demo

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	@for script in bench/*/run.sh; do \
		[ -f "$$script" ] || continue; \
		echo "== $$script"; MLCI=$(CURDIR)/$(BIN) bash "$$script" || exit 1; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

docker:
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) -t mlci:$(VERSION) .

clean:
	rm -rf bin
