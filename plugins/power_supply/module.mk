# The power_supply probe: Mains/UPS supplies of /sys/class/power_supply.
PLUGINS += power_supply
power_supply_SRCS = plugins/power_supply/power_supply.c plugins/power_supply/ps_class.c \
	$(PLUGIN_LIB_PSU)

UNIT_TESTS += power_supply_class
test_power_supply_class_SRCS = plugins/power_supply/ps_class.c $(PLUGIN_LIB_PSU)

FUZZERS += fuzz_power_supply
fuzz_power_supply_SRCS = plugins/power_supply/ps_class.c $(PLUGIN_LIB_PSU)
