# mailreg — build, test and demo.  Plain make + pkg-config; see README.md.
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O2 -g
PKGS     = gmime-3.0 glib-2.0 gio-2.0 json-glib-1.0 sqlite3 uuid libzip libxml-2.0 poppler-glib libcurl libical \
           libcrypto

# Warnings stay on even when the user sets CFLAGS.
WARN     = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
           -DG_LOG_USE_STRUCTURED=1 -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=$(SANITIZE)
BUILD      ?= build/san
else
BUILD      ?= build
endif

LIB_SRC  = $(sort $(wildcard src/core/*.c src/spool/*.c src/parse/*.c src/extract/*.c \
           src/validate/*.c src/register/*.c src/compose/*.c src/deliver/*.c src/store/*.c src/fetch/*.c src/intake/*.c \
           src/cli/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
# The fault hooks (core/fault.c) are compiled in only for the test binary.
TEST_OBJ = $(LIB_SRC:%.c=$(BUILD)/test/%.o)
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps test check unit integration demo install uninstall clean bench fuzz valgrind crash
all: $(BUILD)/mailreg

$(BUILD)/%.o: %.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/test/%.o: %.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DMAILREG_FAULTS=1 -c -o $@ $<

$(BUILD)/mailreg: $(LIB_OBJ) $(BUILD)/src/main.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/mailreg-test: $(TEST_OBJ) $(BUILD)/test/src/main.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(TEST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DMAILREG_FAULTS=1 $(LDFLAGS) -o $@ $< $(TEST_OBJ) $(LIBS)

deps:
	@scripts/deps.sh build

# Every unit binary and integration script runs under prove, which closes with
# "Result: PASS" or "Result: FAIL"; the last line is the plain "N passed, N failed".
# A plain `make test` also runs everything again built with ASan+UBSan (build/san),
# the pipeline under valgrind, every fuzz target for 20 seconds and 20 crash cycles.
ifeq ($(SANITIZE),)
CHECK_SAN = build/san
endif
test check:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory all $(BUILD)/mailreg-test $(UNIT_BIN)
ifeq ($(SANITIZE),)
	@$(MAKE) --no-print-directory SANITIZE=address,undefined build/san/mailreg-test \
		$(UNIT_SRC:tests/unit/%.c=build/san/tests/%)
	@tests/valgrind/run.sh $(BUILD)/mailreg-test
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=20
	@$(MAKE) --no-print-directory crash CYCLES=20 CRASH_MESSAGES=60
endif
	@scripts/run-tests.sh $(BUILD) $(CHECK_SAN)

demo:
	@scripts/deps.sh build
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(BUILD)/mailreg

# libFuzzer targets (tests/fuzz/fuzz_*.c), clang with ASan+UBSan; the library
# parts they reach are built for them in build/fuzz (-DMAILREG_FUZZ).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_SAN  = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SRC  = $(sort $(wildcard src/core/*.c src/parse/*.c src/extract/*.c src/validate/*.c))
FUZZ_OBJ  = $(FUZZ_SRC:%.c=build/fuzz/%.o)
FUZZ_BIN  = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
.SECONDARY: $(FUZZ_OBJ)

build/fuzz/%.o: %.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CFLAGS) -DMAILREG_FUZZ=1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(ALL_CFLAGS) -DMAILREG_FUZZ=1 -DFUZZ_FORMDEF='"$(CURDIR)/templates/form.ini"' \
		$(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LIBS)

# make fuzz FUZZ_SECONDS=N: every target for N seconds (make test: 20 s each)
fuzz:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# Crash anywhere (tests/crash/run.sh): make crash CYCLES=200 CRASH_MESSAGES=500;
# make test runs 20 cycles over 60 messages.
CYCLES         ?= 200
CRASH_MESSAGES ?= 500
crash: all $(BUILD)/mailreg-test
	@scripts/deps.sh test
	@MAILREG=$(CURDIR)/$(BUILD)/mailreg-test tests/crash/run.sh $(CYCLES) $(CRASH_MESSAGES)

# The pipeline over the fixtures under valgrind (about a minute; part of make test).
valgrind: all $(BUILD)/mailreg-test
	@tests/valgrind/run.sh $(BUILD)/mailreg-test

# All of tests/bench side by side, one table with ratios into docs/benchmarks.md
# (make bench BENCH_N=1000 for a quicker run).
BENCH_N ?= 10000
bench: all
	@scripts/deps.sh bench
	@tests/bench/all.sh $(CURDIR)/$(BUILD)/mailreg $(BENCH_N)

install: all
	@scripts/install.sh $(BUILD) $(PREFIX) $(DESTDIR)

uninstall:
	@scripts/install.sh --uninstall $(PREFIX) $(DESTDIR)

clean:
	rm -rf build
