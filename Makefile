# posture — build, tests and tools. `make help` lists the targets.
#
# pkg-config supplies every library flag. Targets that need packages
# (check, asan, demo...) first run scripts/deps.sh, which installs only what
# is missing, then call make again so pkg-config sees the new packages.

BUILD    ?= build
CC       ?= cc
PKGS     := getdns jansson libpsl libidn2 sqlite3 libxml-2.0 libcrypto zlib libcurl libzstd libzip \
            opendkim
TEST_PKGS := cmocka
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)

# The layers, one folder each (doc/architecture.md; each folder's README
# says what it may include, and scripts/lint-arch.py checks it). Headers
# are included by name: every header name is unique across these folders.
ENGINE_DIRS := scanner/util scanner/dns scanner/fetch scanner/spf scanner/dmarc \
               scanner/dkim scanner/bimi scanner/transport feedback message scanner/scan db reports
SRC_DIRS := $(ENGINE_DIRS) cli

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wpointer-arith -Wvla -Wundef -Wcast-align \
            -Wnull-dereference -Werror
# Messages are bounded with snprintf on purpose: a truncated message is the
# intended outcome, not a bug, so gcc's truncation guesses are off.
WARN     += -Wno-format-truncation
OPT      ?= -O2 -g
SAN      ?=
CFLAGS   := -std=c11 -D_GNU_SOURCE $(OPT) $(SAN) $(WARN) \
            -DPOSTURE_VERSION='"$(VERSION)"' $(addprefix -I,$(SRC_DIRS))
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS   = $(PKG_LIBS) -lpthread

HEADERS  := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.h))

# libposture.a: everything but the command line; libcli.a: the command
# line without main(), which the unit tests of cli.c link too.
LIB_SRC  := $(foreach d,$(ENGINE_DIRS),$(wildcard $(d)/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/scanner/dmarc/psl_data.o \
            $(BUILD)/scanner/bimi/svg_schema.o \
            $(BUILD)/scanner/bimi/vmc_roots.o $(BUILD)/db/results_dict.o \
            $(BUILD)/scanner/dkim/dkim_selectors_data.o \
            $(BUILD)/scanner/dns/root_anchors_data.o
CLI_SRC  := $(filter-out cli/main.c,$(wildcard cli/*.c))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIBS_A   := $(BUILD)/libcli.a $(BUILD)/libposture.a
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
ITEST_SRC := $(wildcard tests/integration/itest_*.c)
ITEST_BIN := $(ITEST_SRC:tests/integration/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%)
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer

# Test binaries are not intermediate files: keep them.
.SECONDARY:

.PHONY: all build-tests deps demo demo-shell demo-world man findings-doc fuzz check check-run asan lint format clean help \
        bench-dns bench bench-compare bench-store bench-lossy bench-dkim bench-transport \
        bench-reports report-demo

all: $(BUILD)/posture

help:
	@echo "make            build $(BUILD)/posture"
	@echo "make demo       install what is missing, build, scan the demo world, write demo/"
	@echo "make demo-shell a shell inside the demo world (README examples run as written)"
	@echo "make demo-world generate the fictional demo world into $(BUILD)/demo-world"
	@echo "make man        regenerate man/posture.1 and completion/posture.bash from --help"
	@echo "make findings-doc  regenerate doc/findings.md from scanner/util/findings.def"
	@echo "make deps       install missing Debian packages (scripts/deps.sh)"
	@echo "make check      install what is missing, build, run every test"
	@echo "make asan       the same tests under AddressSanitizer + UBSan"
	@echo "make lint       architecture rules (scripts/lint-arch.py), clang-format, clang-tidy"
	@echo "make format     rewrite sources with clang-format"
	@echo "make fuzz       run each libFuzzer harness (FUZZ_SECONDS=60)"
	@echo "make bench-dkim   a scan with DKIM against one without, and its DKIM results checked"
	@echo "make bench-transport  scans with each of mta-sts, tls-rpt, dnssec, dane against without"
	@echo "make report-demo  every report format of the fixture runs, HTML to PNG"
	@echo "make bench      scan a synthetic world (BENCH_DOMAINS=100000), checked"
	@echo "make bench-dns  DNS adapter queries/s against dnsperf"
	@echo "make bench-compare OLD=FILE  old posture against this build: same results, speed"
	@echo "make bench-store  database size over nightly runs (STORE_NIGHTS=30, STORE_OLD=FILE)"
	@echo "make bench-reports  receivers' reports: import and summary speed, counts checked"
	@echo "make bench-lossy  20,000 domains through a lossy, jittery proxy: no wrong result"
	@echo "make clean      remove build outputs"

deps:
	@scripts/deps.sh

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# The Public Suffix List, compiled in (.incbin reads it from the top dir).
$(BUILD)/scanner/dmarc/psl_data.o: scanner/dmarc/psl_data.S lists/public_suffix_list.dat
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

# The SVG Tiny PS schema, compiled in the same way (scanner/bimi/data/README.md).
$(BUILD)/scanner/bimi/svg_schema.o: scanner/bimi/svg_schema.S scanner/bimi/data/svg_1.2_ps.rng
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

# The Mark Verifying Authority roots, compiled in the same way.
$(BUILD)/scanner/bimi/vmc_roots.o: scanner/bimi/vmc_roots.S $(wildcard lists/vmc-roots/*.pem)
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

# The DKIM selectors probed by default, compiled in the same way.
$(BUILD)/scanner/dkim/dkim_selectors_data.o: scanner/dkim/dkim_selectors_data.S lists/dkim-selectors.txt
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

# The DNSSEC root trust anchor, compiled in the same way (dnssec.c).
$(BUILD)/scanner/dns/root_anchors_data.o: scanner/dns/root_anchors_data.S lists/root-anchors.txt
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

# The dictionary of result bodies, compiled in the same way (db/README.md).
$(BUILD)/db/results_dict.o: db/results_dict.S db/results.dict
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

$(BUILD)/libposture.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libcli.a: $(CLI_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/posture: $(BUILD)/cli/main.o $(LIBS_A)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBS_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -o $@ $< $(LIBS_A) $(LDLIBS) $(TEST_LIBS)

$(BUILD)/tests/%: tests/integration/%.c $(LIBS_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -o $@ $< $(LIBS_A) $(LDLIBS) $(TEST_LIBS)

$(BUILD)/tests/%: tests/tools/%.c $(LIBS_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIBS_A) $(LDLIBS)

# The conformance runners (tests/conformance/): built like the tools.
CONF_SRC := $(wildcard tests/conformance/*.c)
CONF_BIN := $(CONF_SRC:tests/conformance/%.c=$(BUILD)/tests/%)

$(BUILD)/tests/%: tests/conformance/%.c $(LIBS_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIBS_A) $(LDLIBS)

build-tests: $(BUILD)/posture $(UNIT_BIN) $(ITEST_BIN) $(TOOL_BIN) $(CONF_BIN)

check:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory check-run

check-run: build-tests
	@scripts/run-tests.sh $(BUILD)

asan:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" \
	  SAN="$(ASAN_FLAGS)" check-run

LINT_SRC := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c $(d)/*.h)) $(wildcard tests/unit/*.c tests/integration/*.c \
              tests/tools/*.c tests/conformance/*.c tests/fuzz/*.c)

# Architecture rules first (scripts/lint-arch.py: layers, third-party
# headers, pure checks, SQL only in db/, functions of at most 150 lines,
# the finding registry), then style and clang-tidy over every C folder.
lint:
	@scripts/deps.sh
	@/usr/bin/python3 scripts/lint-arch.py
	clang-format --dry-run --Werror $(LINT_SRC)
	clang-tidy --quiet $(filter %.c,$(LINT_SRC)) -- $(CFLAGS) \
	  -Wno-unknown-warning-option $$(pkg-config --cflags $(PKGS) $(TEST_PKGS))

format:
	clang-format -i $(LINT_SRC)

demo:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(BUILD)

# A shell whose posture talks to the demo world's loopback servers
# (scripts/demo-env.sh); they stop when the shell exits.
demo-shell:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@echo "demo-shell: posture now asks the demo world's servers (POSTURE_* in env);"
	@echo "            try: posture check kestrel-foods.test   (exit the shell to stop them)"
	@scripts/demo-env.sh $(BUILD) -- bash -i

# The fictional demo world (scripts/gen-demo.py documents what it writes).
demo-world:
	@scripts/deps.sh
	@scripts/gen-demo.py $(BUILD)/demo-world

# The man page and bash completion, generated from posture's --help and
# checked in; tests/integration/test_man.py fails when they are stale.
man: $(BUILD)/posture
	@scripts/gen-man.py --posture $(BUILD)/posture --man man/posture.1 \
	  --completion completion/posture.bash

# doc/findings.md, generated from the registry of finding codes and checked
# in; tests/integration/test_findings_doc.py fails when it is stale.
findings-doc:
	@scripts/gen-findings.py
$(BUILD)/scanner/util/finding.o: scanner/util/findings.def

report-demo:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/report-demo.sh $(BUILD)

# libFuzzer harnesses (tests/fuzz/); FUZZ_SECONDS per harness, default 60.
fuzz:
	@scripts/deps.sh
	@scripts/fuzz.sh

bench:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/bench.sh $(BUILD)

# Old binary against new on one world: identical stored results, paired
# speed (scripts/compare-builds.sh). OLD=path/to/posture, the new is $(BUILD)'s.
bench-compare:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/compare-builds.sh $(OLD) $(BUILD)/posture

# The nightly history's size on disk and report/diff speed
# (scripts/bench-store.sh): STORE_DOMAINS, STORE_NIGHTS, STORE_CHANGE,
# STORE_OLD=path/to/older/posture.
bench-store:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@POSTURE=$(BUILD)/posture scripts/bench-store.sh

# A scan through tests/bed/lossyproxy.py (50 ms +- 20 ms, 2 % loss, 1 %
# duplicates): no wrong conclusive result (scripts/bench-lossy.sh):
# LOSSY_DOMAINS, LOSSY_INFLIGHT, LOSSY_DELAY_MS, LOSSY_JITTER_MS,
# LOSSY_LOSS, LOSSY_DUP, LOSSY_SEED, LOSSY_KEEP=DIR.
bench-lossy:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/bench-lossy.sh $(BUILD)

# What DKIM costs a scan (paired scans with and without it, at least half
# the domains/s) and whether every stored DKIM status and count is right
# (scripts/bench-dkim.sh): DKIM_DOMAINS, DKIM_PAIRS.
bench-dkim:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/bench-dkim.sh $(BUILD)

# What each transport check (issue 24) costs a scan: paired scans with
# and without mta-sts, tls-rpt, dnssec, dane, every stored status and
# count checked (scripts/bench-transport.sh): TRANSPORT_DOMAINS,
# TRANSPORT_DNSSEC_DOMAINS, TRANSPORT_ROUNDS.
bench-transport:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/bench-transport.sh $(BUILD)

# Receivers' reports: import and summary speed, counts checked
# (scripts/bench-reports.sh): REPORTS_DOMAINS, REPORTS_DAYS.
bench-reports:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/bench-reports.sh $(BUILD)

bench-dns:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory build-tests
	@scripts/bench-dns.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz
