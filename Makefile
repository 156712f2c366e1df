# redmon: one non-recursive Makefile.  `make` builds build/redmon (the light
# command line), build/redmond (every command: the daemon, SNMP, HTTP) and
# build/plugins/*.so; `make check` runs every test; `make fuzz` runs the fuzzers.
#
# Each plugin folder has a module.mk that appends to PLUGINS and sets
# <name>_SRCS, <name>_LIBS, and may add unit tests (UNIT_TESTS, test_<t>_SRCS).

.DEFAULT_GOAL := all

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
PLUGINDIR  ?= $(LIBDIR)/redmon/plugins
# redmond, the full program `redmon daemon` and `redmon test-alert` exec (a
# program of the package's own, not for PATH: Debian's /usr/lib/redmon).
LIBEXECDIR ?= $(LIBDIR)/redmon
SYSCONFDIR ?= /etc
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
# The unit goes where systemd looks whatever PREFIX is (ExecStart= follows BINDIR).
SYSTEMDUNITDIR ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
BASHCOMPDIR    ?= $(DATADIR)/bash-completion/completions
# net-snmp looks in /usr/share/snmp/mibs; with PREFIX=/usr/local add MIBDIR=/usr/share/snmp/mibs.
MIBDIR         ?= $(DATADIR)/snmp/mibs
DESTDIR    ?=

CC      ?= cc
BUILD   ?= build
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
           -Wno-missing-field-initializers -Wvla -Wpointer-arith
ifeq ($(WERROR),1)
WARN    += -Werror
endif
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DREDMON_PLUGINDIR='"$(PLUGINDIR)"' \
            -DREDMON_LIBEXECDIR='"$(LIBEXECDIR)"' \
            -DREDMON_VERSION='"$(VERSION)"'
ALL_CFLAGS = -std=gnu11 -fPIC $(WARN) $(CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS ?=
VERSION := 0.1.0

# What the light build/redmon links: status, check and help need no more.
CLI_LIBS  := -ljansson -ldl -lm -lpthread
CORE_LIBS := -ljansson -ldl -lm
# libcurl (the webhook sink, mail by SMTP) is not linked: plugins/lib/curl_dl.c
# loads it when such a sink is configured (its header says why).  Nor is
# net-snmp: the SNMP subagent is a module of its own, redmon-snmp.so beside
# redmond, loaded when [snmp] is enabled (src/snmp/snmp_module.h says why).

# The subagent: everything under src/snmp/ but the [snmp] settings table,
# which every program's config parser needs.
SNMP_MODULE_SRCS := $(filter-out src/snmp/snmp_settings.c,$(wildcard src/snmp/*.c))
SNMP_MODULE_OBJS := $(SNMP_MODULE_SRCS:%.c=$(BUILD)/obj/%.o)
SNMP_MODULE      := $(BUILD)/redmon-snmp.so
# net-snmp: the agent and base libraries only, not netsnmpmibs (which
# pkg-config's netsnmp-agent adds, with libsensors and more).
SNMP_MODULE_LIBS := -lnetsnmpagent -lnetsnmp
# What redmond exports for the module: the daemon's functions it calls, and
# no more (an exported name could also bind a library's call of the same name).
SNMP_EXPORTS     := $(BUILD)/obj/snmp-exports.list

CORE_SRCS := $(filter-out src/main.c $(SNMP_MODULE_SRCS),$(wildcard src/*.c src/snmp/*.c))
CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/obj/%.o)
# The light build takes from an archive only the objects its commands reach:
# never the subagent, the webhook or SMTP code, nor their libraries.
CORE_LIB  := $(BUILD)/obj/libredmon-core.a

PLUGINS    :=
UNIT_TESTS :=
FUZZERS    :=
# plugins/lib first: the rules below link its archive.
include plugins/lib/module.mk
include $(filter-out plugins/lib/module.mk,$(wildcard plugins/*/module.mk))
include tests/unit/module.mk
include tests/fuzz/module.mk

PLUGIN_SOS := $(PLUGINS:%=$(BUILD)/plugins/%.so)
# plugins/NAME/NAME.sources, installed beside NAME.so (docs/plugins.md, "Data sources").
PLUGIN_SOURCES := $(foreach p,$(PLUGINS),$(if $(wildcard plugins/$(p)/$(p).sources),$(BUILD)/plugins/$(p).sources))
UNIT_BINS  := $(UNIT_TESTS:%=$(BUILD)/tests/test_%)

.PHONY: all check unit golden integration sanitize fuzz fuzz-build install clean format format-check demo deps
all: $(BUILD)/redmon $(BUILD)/redmond $(SNMP_MODULE) $(PLUGIN_SOS) $(PLUGIN_SOURCES)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# redmond: every command in this process.  redmon: main.c again, with
# REDMON_CLI_ONLY, which execs redmond for the commands that need SNMP or HTTP.
$(BUILD)/redmond: $(BUILD)/obj/src/main.o $(CORE_OBJS) $(SNMP_EXPORTS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Wl,--dynamic-list=$(SNMP_EXPORTS) -o $@ \
		$(filter %.o,$^) $(CORE_LIBS)

# The module's undefined symbols that the core defines, as a --dynamic-list.
$(SNMP_EXPORTS): $(SNMP_MODULE_OBJS) $(PLUGIN_LIB) $(CORE_OBJS) $(BUILD)/obj/src/main.o
	@mkdir -p $(@D)
	nm -u --format=just-symbols $(SNMP_MODULE_OBJS) | sort -u >$@.undef
	nm --defined-only --extern-only --format=just-symbols $(CORE_OBJS) \
		$(BUILD)/obj/src/main.o | sort -u >$@.core
	{ echo '{'; comm -12 $@.undef $@.core | sed 's/.*/\t&;/'; echo '};'; } >$@
	rm -f $@.undef $@.core

# No -z defs: what the module calls of the daemon is resolved when redmond loads it.
$(SNMP_MODULE): $(SNMP_MODULE_OBJS) $(PLUGIN_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -Wl,--version-script=src/snmp/module.map \
		-o $@ $^ $(SNMP_MODULE_LIBS)

$(BUILD)/obj/src/main-cli.o: src/main.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DREDMON_CLI_ONLY $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(CORE_LIB): $(CORE_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

# --as-needed: a library none of the objects taken uses is not loaded at all.
$(BUILD)/redmon: $(BUILD)/obj/src/main-cli.o $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Wl,--as-needed -o $@ $^ $(CLI_LIBS)

# One .so per plugin; only the descriptor is exported (plugins/plugin.map).
define plugin_rule
$(BUILD)/plugins/$(1).so: $$($(1)_SRCS:%.c=$(BUILD)/obj/%.o) $(PLUGIN_LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(LDFLAGS) -shared -Wl,--version-script=plugins/plugin.map \
		-Wl,-z,defs -o $$@ $$^ $$($(1)_LIBS)
endef
$(foreach p,$(PLUGINS),$(eval $(call plugin_rule,$(p))))

define sources_rule
$(BUILD)/plugins/$(1).sources: plugins/$(1)/$(1).sources
	@mkdir -p $$(@D)
	cp $$< $$@
endef
$(foreach p,$(PLUGINS),$(eval $(call sources_rule,$(p))))

# Unit tests: test_<t>_SRCS lists the sources under test besides tests/unit/test_<t>.c;
# plugins/lib comes last (a core test takes nothing from it).
define unit_rule
$(BUILD)/tests/test_$(1): $(BUILD)/obj/tests/unit/test_$(1).o $$(test_$(1)_SRCS:%.c=$(BUILD)/obj/%.o) \
		$(PLUGIN_LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(LDFLAGS) -o $$@ $$^ -lcmocka $$(test_$(1)_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

# `make check` = build, then every test through the runner (prints N passed, N failed).
check: all $(UNIT_BINS)
	@python3 tests/run.py --build $(BUILD) $(CHECK_ARGS)

unit: $(UNIT_BINS)
	@python3 tests/run.py --build $(BUILD) --only unit

# The unit, golden and integration (daemon) tests under ASan + UBSan, in their
# own build tree; every test fails on a sanitizer report.
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize:
	$(MAKE) BUILD=build-san CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" all $(UNIT_TESTS:%=build-san/tests/test_%)
	python3 tests/run.py --build build-san --only unit,golden,integration --label san

# libFuzzer targets (clang).  FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
fuzz-build: $(FUZZERS:%=$(BUILD)/fuzz/%)
# Secondary expansion: a fuzzer is rebuilt when any source it compiles changes.
.SECONDEXPANSION:
$(BUILD)/fuzz/%: tests/fuzz/%.c $$($$*_SRCS) $(FUZZ_PLUGIN_LIB)
	@mkdir -p $(@D)
	clang $(CPPFLAGS) -std=gnu11 $(FUZZ_CFLAGS) -o $@ $< $($*_SRCS) $(FUZZ_PLUGIN_LIB) $($*_LIBS)
fuzz: fuzz-build
	@python3 tests/fuzz/run.py --build $(BUILD) --seconds $(FUZZ_SECONDS) $(FUZZERS)

# Benchmarks (never timed tests): bench/run prints the table and writes bench/results/.
# bench-smoke: N=1,10, 2 rounds, short windows, then the newer probes (bench/probes.py)
# with 2 rounds (CI keeps bench/run working with it).
.PHONY: bench bench-smoke
bench: all
	@python3 bench/run --build $(BUILD) $(BENCH_ARGS)
bench-smoke: all
	@python3 bench/run --build $(BUILD) --smoke $(BENCH_ARGS)

demo: all
	@sh tests/fixtures/demo/run-demo.sh

deps:
	@sh scripts/install-deps.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(SYSCONFDIR)/redmon \
		$(DESTDIR)$(DATADIR)/snmp/mibs $(DESTDIR)$(DATADIR)/doc/redmon
	install -m 0755 $(BUILD)/redmon $(DESTDIR)$(BINDIR)/redmon
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(BUILD)/redmond $(DESTDIR)$(LIBEXECDIR)/redmond
	install -m 0644 $(SNMP_MODULE) $(DESTDIR)$(LIBEXECDIR)/redmon-snmp.so
	install -m 0644 $(PLUGIN_SOS) $(PLUGIN_SOURCES) $(DESTDIR)$(PLUGINDIR)/
	install -m 0644 docs/redmon.conf.example $(DESTDIR)$(DATADIR)/doc/redmon/redmon.conf.example
	test -e $(DESTDIR)$(SYSCONFDIR)/redmon/redmon.conf || \
		install -m 0644 docs/redmon.conf.example $(DESTDIR)$(SYSCONFDIR)/redmon/redmon.conf
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR)
	sed 's|/usr/bin/redmon|$(BINDIR)/redmon|' systemd/redmon.service > $(DESTDIR)$(SYSTEMDUNITDIR)/redmon.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/redmon.service
	install -m 0644 docs/man/redmon.8 $(DESTDIR)$(MANDIR)/man8/redmon.8
	install -m 0644 docs/man/redmon.conf.5 $(DESTDIR)$(MANDIR)/man5/redmon.conf.5
	install -m 0644 docs/man/redmon-alerts.7 $(DESTDIR)$(MANDIR)/man7/redmon-alerts.7
	install -m 0644 contrib/bash-completion/redmon $(DESTDIR)$(BASHCOMPDIR)/redmon
	if [ -e mibs/REDMON-MIB.txt ]; then \
		install -d $(DESTDIR)$(MIBDIR) && \
		install -m 0644 mibs/REDMON-MIB.txt $(DESTDIR)$(MIBDIR)/REDMON-MIB.txt; fi

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) build-san -name '*.d' 2>/dev/null)
