# Convenience targets; the scripts are the source of truth.
.PHONY: build run test

build:
	go build -trimpath -o bin/kaicode ./cmd/kaicode

run:
	scripts/setup
	./bin/kaicode serve

test:
	scripts/test

