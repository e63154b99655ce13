# mailreg — build, test and demo.  Plain make + pkg-config; see README.md.
PREFIX  ?= /usr/local
DESTDIR ?=
# Templates and the form definition of an installed mailreg (scripts/install.sh
# puts them there); config.c uses it when [paths] templates is not set.
DATADIR  = $(PREFIX)/share/mailreg
# The sandboxed document reader (src/reader.c); sandbox.c looks for it there
# unless it stands beside the running binary.
LIBEXECDIR = $(PREFIX)/libexec/mailreg
CC      ?= cc
CFLAGS  ?= -O2 -g
PKGS     = gmime-3.0 glib-2.0 gio-2.0 json-glib-1.0 sqlite3 uuid libzip libxml-2.0 poppler-glib libcurl libical libseccomp libgsf-1 libmicrohttpd libsodium tesseract lept pangocairo

# pkg-config runs once, when the first compile or link needs it - not while make
# reads this file, so `make test`, `make demo` and `make deps` can install the
# -dev packages first.  Its complaints are shown and stop the build.
pkg = $(shell pkg-config $(1) $(PKGS))$(if $(filter-out 0,$(.SHELLSTATUS)),$(error pkg-config $(1) failed: \
      missing -dev packages? `make deps` (scripts/deps.sh build) installs them))
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(call pkg,--cflags))$(PKG_CFLAGS)
LIBS       = $(eval LIBS := $$(call pkg,--libs))$(LIBS)

# Warnings stay on even when the user sets CFLAGS.
WARN     = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
# Hardening as Debian's dpkg-buildflags (hardening=+all) does it; CFLAGS and
# LDFLAGS come after, so a user can still turn a piece off.  _FORTIFY_SOURCE
# needs an optimising build (glibc warns without one): none with -O0.
HARDEN_CFLAGS  = $(if $(filter -O0,$(CFLAGS)),,-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2) \
                 -fstack-protector-strong -fPIE
HARDEN_LDFLAGS = -pie -Wl,-z,relro,-z,now
# -MMD -MP: each object's .d file lists the headers it includes (included below).
ALL_CFLAGS = -std=gnu11 $(WARN) $(HARDEN_CFLAGS) $(CFLAGS) -Isrc $(PKG_CFLAGS) -MMD -MP \
           -DG_LOG_USE_STRUCTURED=1 -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74
ALL_LDFLAGS = $(HARDEN_LDFLAGS) $(LDFLAGS)

ifneq ($(SANITIZE),)
ALL_CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
BUILD      ?= build/san
else
BUILD      ?= build
endif

# Every stage folder under src/ (src/main.c is linked on its own).
LIB_SRC  = $(sort $(wildcard src/*/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
# The fault hooks (core/fault.c) are compiled in only for the test binary:
# the files with fault points (each includes core/fault.h itself) are compiled
# again for it; it shares every other object with the shipped binary.
FAULT_SRC := $(shell grep -l 'core/fault\.h\|MAILREG_FAULTS' $(LIB_SRC))
TEST_OBJ = $(FAULT_SRC:%.c=$(BUILD)/test/%.o) $(patsubst %.c,$(BUILD)/%.o,$(filter-out $(FAULT_SRC),$(LIB_SRC)))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps test check demo install uninstall clean bench fuzz valgrind crash FORCE
all: $(BUILD)/mailreg $(BUILD)/mailreg-reader

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/test/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DMAILREG_FAULTS=1 -c -o $@ $<

# The data directory is compiled into config.c: a file holding it, rewritten
# only when PREFIX changes, makes those objects depend on its value.
FORCE:
%/datadir: FORCE
	@mkdir -p $(dir $@)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@
$(BUILD)/src/core/config.o $(BUILD)/test/src/core/config.o: $(BUILD)/datadir
build/fuzz/src/core/config.o: build/fuzz/datadir
CONFIG_CFLAGS = -DMAILREG_DATADIR='"$(DATADIR)"'
$(BUILD)/src/core/config.o $(BUILD)/test/src/core/config.o build/fuzz/src/core/config.o: \
	ALL_CFLAGS += $(CONFIG_CFLAGS)

# The reader's folder, compiled into sandbox.c the same way; the test build's
# reader is the one in the build folder, so unit tests find it too.
%/libexecdir: FORCE
	@mkdir -p $(dir $@)
	@echo '$(LIBEXECDIR)' | cmp -s - $@ || echo '$(LIBEXECDIR)' >$@
$(BUILD)/src/sandbox/sandbox.o: $(BUILD)/libexecdir
$(BUILD)/src/sandbox/sandbox.o: ALL_CFLAGS += -DMAILREG_LIBEXECDIR='"$(LIBEXECDIR)"'
$(BUILD)/test/src/sandbox/sandbox.o: ALL_CFLAGS += -DMAILREG_LIBEXECDIR='"$(CURDIR)/$(BUILD)"'

# Programs link from an archive of the objects with --as-needed, so each holds
# only the code it calls and maps only those libraries: the daemon none of
# poppler, Tesseract, leptonica, libgsf (their readers run in mailreg-reader),
# the reader not libcurl or SQLite.  Fewer libraries to load also makes every
# start of a command cheaper.
$(BUILD)/libmailreg.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/test/libmailreg.a: $(TEST_OBJ)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/mailreg: $(BUILD)/src/main.o $(BUILD)/libmailreg.a
	$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $^ $(LIBS)
$(BUILD)/mailreg-test: $(BUILD)/test/src/main.o $(BUILD)/test/libmailreg.a | $(BUILD)/mailreg-reader-test
	$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $^ $(LIBS)
$(BUILD)/mailreg-reader: $(BUILD)/src/reader.o $(BUILD)/libmailreg.a
	$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $^ $(LIBS)
$(BUILD)/mailreg-reader-test: $(BUILD)/test/src/reader.o $(BUILD)/test/libmailreg.a
	$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $^ $(LIBS)

# Binaries compiled and linked in one step keep their .d file in .deps/, so
# no test_*.d stands beside the test_* binaries scripts/run-tests.sh runs.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/test/libmailreg.a | $(BUILD)/mailreg-reader-test
	@mkdir -p $(dir $@).deps
	$(CC) $(ALL_CFLAGS) -MF $(dir $@).deps/$(notdir $@).d -DMAILREG_FAULTS=1 $(ALL_LDFLAGS) -Wl,--as-needed \
		-o $@ $< $(BUILD)/test/libmailreg.a $(LIBS)

deps:
	@scripts/deps.sh build

# Every unit binary and integration script runs under prove, which closes with
# "Result: PASS" or "Result: FAIL"; the last line is the plain "N passed, N failed".
# `make check`: the plain build, every unit and integration test once (a few
# minutes; `make check SANITIZE=address,undefined` the same built with the
# sanitizers in build/san).  `make test` also runs everything again built with
# ASan+UBSan (build/san), the pipeline under valgrind, every fuzz target for
# 5 seconds (its seeds, then mutations) and 20 crash cycles, all in one pool of jobs (scripts/run-tests.sh).
# Both install the test dependencies first, then build (a sub-make: pkg-config
# runs after the install) with as many compilers as there are CPUs.
JOBS ?= $(shell nproc)

check:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory -j$(JOBS) all $(BUILD)/mailreg-test $(UNIT_BIN)
	@scripts/run-tests.sh $(BUILD)

test:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory -j$(JOBS) all $(BUILD)/mailreg-test $(UNIT_BIN)
ifeq ($(SANITIZE),)
	@$(MAKE) --no-print-directory -j$(JOBS) SANITIZE=address,undefined build/san/mailreg-test \
		$(UNIT_SRC:tests/unit/%.c=build/san/tests/%)
	@$(MAKE) --no-print-directory -j$(JOBS) $(FUZZ_BIN)
	@FUZZ_SECONDS=5 CRASH_CYCLES=20 CRASH_MESSAGES=60 scripts/run-tests.sh --extras $(BUILD) build/san
else
	@scripts/run-tests.sh $(BUILD)
endif

demo:
	@scripts/deps.sh build
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(BUILD)/mailreg

# libFuzzer targets (tests/fuzz/fuzz_*.c), clang with ASan+UBSan; the library
# parts they reach are built for them in build/fuzz (-DMAILREG_FUZZ).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_SAN  = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SRC  = $(sort $(wildcard src/core/*.c src/parse/*.c src/extract/*.c src/validate/*.c) src/fetch/imap.c src/deliver/smtp-parse.c)
FUZZ_OBJ  = $(FUZZ_SRC:%.c=build/fuzz/%.o)
FUZZ_BIN  = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
.SECONDARY: $(FUZZ_OBJ)

build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CFLAGS) -DMAILREG_FUZZ=1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ)
	@mkdir -p $(dir $@).deps
	$(FUZZ_CC) $(ALL_CFLAGS) -MF $(dir $@).deps/$(notdir $@).d -DMAILREG_FUZZ=1 -DFUZZ_FORMDEF='"$(CURDIR)/templates/form.ini"' \
		$(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LIBS)

# make fuzz FUZZ_SECONDS=N: every target for N seconds (make test: 5 s each)
fuzz:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# Crash anywhere (tests/crash/run.sh): make crash CYCLES=200 CRASH_MESSAGES=500;
# make test runs 20 cycles over 60 messages.
CYCLES         ?= 200
CRASH_MESSAGES ?= 500
crash:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory all $(BUILD)/mailreg-test
	@MAILREG=$(CURDIR)/$(BUILD)/mailreg-test tests/crash/run.sh $(CYCLES) $(CRASH_MESSAGES)

# The pipeline over the fixtures under valgrind (about a minute; part of make test).
valgrind:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory all $(BUILD)/mailreg-test
	@tests/valgrind/run.sh $(BUILD)/mailreg-test

# All of tests/bench side by side, one table with ratios into docs/benchmarks.md
# (make bench BENCH_N=1000 for a quicker run).
BENCH_N ?= 10000
bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory all
	@tests/bench/all.sh $(CURDIR)/$(BUILD)/mailreg $(BENCH_N)

install: all
	@scripts/install.sh $(BUILD) $(PREFIX) $(DESTDIR)

uninstall:
	@scripts/install.sh --uninstall $(PREFIX) $(DESTDIR)

clean:
	rm -rf build

# The header dependencies -MMD wrote (none before the first build).
-include $(wildcard $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/src/main.d $(BUILD)/test/src/main.d \
	$(BUILD)/src/reader.d $(BUILD)/test/src/reader.d \
	$(join $(addsuffix .deps/,$(dir $(UNIT_BIN) $(FUZZ_BIN))),$(addsuffix .d,$(notdir $(UNIT_BIN) $(FUZZ_BIN)))) \
	$(FUZZ_OBJ:.o=.d))
