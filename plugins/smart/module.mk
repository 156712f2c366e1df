# smart probe: disk health through smartctl -j (docs/smart.md).
PLUGINS += smart

SMART_CORE := plugins/smart/smart_read.c plugins/smart/smart_targets.c
smart_SRCS := $(SMART_CORE) plugins/smart/smart.c
smart_LIBS := -ljansson -lpthread

UNIT_TESTS += smart_read
test_smart_read_SRCS := $(SMART_CORE)
test_smart_read_LIBS := -ljansson

FUZZERS += fuzz_smart_read
fuzz_smart_read_SRCS := $(SMART_CORE)
fuzz_smart_read_LIBS := -ljansson

UNIT_TESTS += smart_targets
test_smart_targets_SRCS := $(SMART_CORE)
test_smart_targets_LIBS := -ljansson
