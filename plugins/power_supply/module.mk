# The power_supply probe: Mains/UPS supplies of /sys/class/power_supply.
PLUGINS += power_supply
power_supply_SRCS = plugins/power_supply/power_supply.c plugins/power_supply/ps_class.c
power_supply_LIBS := -ludev

UNIT_TESTS += power_supply_class power_supply_plugin
test_power_supply_class_SRCS = plugins/power_supply/ps_class.c

# The event plumbing against the fake host.
test_power_supply_plugin_SRCS = $(power_supply_SRCS) tests/unit/fake_host.c
test_power_supply_plugin_LIBS := $(power_supply_LIBS)

FUZZERS += fuzz_power_supply
fuzz_power_supply_SRCS = plugins/power_supply/ps_class.c
