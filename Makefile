# batch-invite: `make demo`, `make test`, `make bench`. Each installs libcsv-dev if missing.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get
BIN := .build/debug/batch-invite
RELEASE_BIN := .build/release/batch-invite
BENCH_DIR := bench-data
BENCH_ROWS ?= 1000000
BENCH_RUNS ?= 5

.PHONY: all deps build test demo bench bench-simulator format clean

all: build

# libcsv-dev (and the tools the benchmark needs) come from Debian's packages.
deps:
	@if ! dpkg -s libcsv-dev >/dev/null 2>&1; then \
		echo "installing libcsv-dev"; \
		$(APT) update -qq && $(APT) install -y -qq libcsv-dev; \
	fi

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build
	$(SWIFT) test

demo: build
	@echo "== batch-invite validate samples/onboarding.csv --target sendoso"
	@cd /tmp && $(CURDIR)/$(BIN) validate $(CURDIR)/samples/onboarding.csv --target sendoso \
		--report /tmp/batch-invite-demo.report.csv; echo "(exit $$?)"
	@echo; echo "== the report (/tmp/batch-invite-demo.report.csv)"
	@cat /tmp/batch-invite-demo.report.csv
	@echo; echo "== batch-invite validate samples/sms-invites.csv --target cyberark-sms"
	@$(BIN) validate samples/sms-invites.csv --target cyberark-sms \
		--report /tmp/batch-invite-demo-sms.report.csv; echo "(exit $$?)"
	@cat /tmp/batch-invite-demo-sms.report.csv

bench: deps
	@command -v gcc >/dev/null || $(APT) install -y -qq gcc
	$(SWIFT) build -c release
	@mkdir -p $(BENCH_DIR)
	@if [ ! -f $(BENCH_DIR)/people.csv ] || [ "$$(cat $(BENCH_DIR)/rows 2>/dev/null)" != "$(BENCH_ROWS)" ]; then \
		echo "generating $(BENCH_ROWS) rows"; \
		python3 Tests/Benchmarks/generate.py $(BENCH_ROWS) $(BENCH_DIR)/people.csv $(BENCH_DIR)/people.jsonl \
		&& echo $(BENCH_ROWS) > $(BENCH_DIR)/rows; \
	fi
	gcc -O2 -o $(BENCH_DIR)/libcsv_count Tests/Benchmarks/libcsv_count.c -lcsv
	python3 Tests/Benchmarks/bench.py $(RELEASE_BIN) $(BENCH_DIR) $(BENCH_RUNS)

# The simulator under wrk (keep-alive, 32 connections), each endpoint, log off and on.
bench-simulator: deps
	@command -v wrk >/dev/null || ($(APT) update -qq && $(APT) install -y -qq wrk)
	$(SWIFT) build -c release
	bash Tests/Benchmarks/bench_simulator.sh $(RELEASE_BIN) 10 3

format:
	$(SWIFT) format --in-place --recursive Sources Tests

clean:
	rm -rf .build $(BENCH_DIR)
