# Convenience targets; the scripts are the source of truth.
.PHONY: build run test bench

build:
	go build -trimpath -o bin/kaicode ./cmd/kaicode

run:
	scripts/setup
	./bin/kaicode serve

test:
	scripts/test

bench:
	scripts/bench
