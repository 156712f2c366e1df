# The ipmi probe: PSU and fan redundancy through the BMC (libfreeipmi).
PLUGINS += ipmi
ipmi_SRCS = plugins/ipmi/ipmi.c plugins/ipmi/ipmi_psu.c plugins/ipmi/ipmi_fan.c \
	plugins/ipmi/ipmi_reader.c
# -z nodelete: libfreeipmi (and libgcrypt under it) keep process-global state
# that must stay mapped after dlclose, or LeakSanitizer reports it at exit.
ipmi_LIBS := -lfreeipmi -lpthread -Wl,-z,nodelete

# Sensor interpretation: no libfreeipmi needed.
UNIT_TESTS += ipmi_psu ipmi_fan
test_ipmi_psu_SRCS = plugins/ipmi/ipmi_psu.c
test_ipmi_fan_SRCS = plugins/ipmi/ipmi_fan.c plugins/ipmi/ipmi_psu.c

FUZZERS += fuzz_ipmi_psu
fuzz_ipmi_psu_SRCS = plugins/ipmi/ipmi_psu.c plugins/ipmi/ipmi_fan.c
