# plugins/lib: what the probes share, one static library (-fPIC) linked into
# every plugin .so, plugin unit test and fuzzer (docs/plugins.md, "What
# plugins/lib offers"); plugins/plugin.map keeps it hidden in the .so.
PLUGIN_LIB_SRCS := $(wildcard plugins/lib/*.c)
PLUGIN_LIB := $(BUILD)/plugins/lib/libredmon-plugin.a

$(PLUGIN_LIB): $(PLUGIN_LIB_SRCS:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

# The same for the fuzzers, instrumented as they are (clang, FUZZ_CFLAGS).
FUZZ_PLUGIN_LIB := $(BUILD)/fuzz/lib/libredmon-plugin.a

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	clang $(CPPFLAGS) -std=gnu11 $(subst fuzzer,fuzzer-no-link,$(FUZZ_CFLAGS)) -MMD -MP -c -o $@ $<

$(FUZZ_PLUGIN_LIB): $(PLUGIN_LIB_SRCS:%.c=$(BUILD)/fuzz/obj/%.o)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

# Unit tests of the library, one per module.
UNIT_TESTS += rootfs strbuf hindex fdcache sysfs_read child psu_set periodic secret spof
test_periodic_SRCS := tests/unit/fake_host.c

# The core links the child-process runner too: its privileged helper
# (src/privhelper.c) runs tools with it; and the hash index (src/snmp/subagent_index.c);
# and rootfs and child again to look for a plugin's data sources (src/plugin_sources.c).
PLUGIN_LIB_CHILD := plugins/lib/child.c
$(BUILD)/redmon $(BUILD)/redmond: $(BUILD)/obj/plugins/lib/child.o $(BUILD)/obj/plugins/lib/hindex.o \
	$(BUILD)/obj/plugins/lib/rootfs.o
# And redmond the libcurl loader (the webhook and SMTP sinks), with strbuf under it,
# and the words of a failed dlopen (also for its SNMP module, src/snmp_dl.c).
$(BUILD)/redmond: $(BUILD)/obj/plugins/lib/curl_dl.o $(BUILD)/obj/plugins/lib/strbuf.o \
	$(BUILD)/obj/plugins/lib/dl_words.o

# The watch module's test also sets up a udev monitor.
UNIT_TESTS += watch
test_watch_LIBS := -ludev
