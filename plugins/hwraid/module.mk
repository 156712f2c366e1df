# hwraid probe: hardware RAID controllers through their vendor tools, one
# driver per tool family (plugins/hwraid/README.md).
PLUGINS += hwraid

hwraid_CORE := plugins/hwraid/hwraid_rules.c plugins/hwraid/hwraid_hosts.c plugins/hwraid/hwraid_argv.c \
               plugins/hwraid/megaraid.c \
               plugins/hwraid/megaraid_json.c plugins/hwraid/megaraid_text.c \
               plugins/hwraid/arcconf.c \
               plugins/hwraid/smartarray.c plugins/hwraid/smartarray_ssacli.c \
               plugins/hwraid/smartarray_cciss.c \
               plugins/hwraid/megacli.c plugins/hwraid/mptstatus.c plugins/hwraid/dmraid.c \
               plugins/hwraid/twcli.c plugins/hwraid/sas2ircu.c
hwraid_SRCS := $(hwraid_CORE) plugins/hwraid/hwraid.c
hwraid_LIBS := -ljansson -lpthread

UNIT_TESTS += hwraid_megaraid
test_hwraid_megaraid_SRCS := $(hwraid_CORE)
test_hwraid_megaraid_LIBS := -ljansson

FUZZERS += fuzz_hwraid_megaraid_json fuzz_hwraid_megaraid_text
fuzz_hwraid_megaraid_json_SRCS := $(hwraid_CORE)
fuzz_hwraid_megaraid_json_LIBS := -ljansson
fuzz_hwraid_megaraid_text_SRCS := $(hwraid_CORE)
fuzz_hwraid_megaraid_text_LIBS := -ljansson

UNIT_TESTS += hwraid_arcconf
test_hwraid_arcconf_SRCS := $(hwraid_CORE)
test_hwraid_arcconf_LIBS := -ljansson

FUZZERS += fuzz_hwraid_arcconf
fuzz_hwraid_arcconf_SRCS := $(hwraid_CORE)
fuzz_hwraid_arcconf_LIBS := -ljansson

UNIT_TESTS += hwraid_smartarray
test_hwraid_smartarray_SRCS := $(hwraid_CORE)
test_hwraid_smartarray_LIBS := -ljansson

FUZZERS += fuzz_hwraid_smartarray
fuzz_hwraid_smartarray_SRCS := $(hwraid_CORE)
fuzz_hwraid_smartarray_LIBS := -ljansson

UNIT_TESTS += hwraid_megacli
test_hwraid_megacli_SRCS := $(hwraid_CORE)
test_hwraid_megacli_LIBS := -ljansson

FUZZERS += fuzz_hwraid_megacli
fuzz_hwraid_megacli_SRCS := $(hwraid_CORE)
fuzz_hwraid_megacli_LIBS := -ljansson

UNIT_TESTS += hwraid_mptstatus
test_hwraid_mptstatus_SRCS := $(hwraid_CORE)
test_hwraid_mptstatus_LIBS := -ljansson

FUZZERS += fuzz_hwraid_mptstatus
fuzz_hwraid_mptstatus_SRCS := $(hwraid_CORE)
fuzz_hwraid_mptstatus_LIBS := -ljansson

UNIT_TESTS += hwraid_dmraid
test_hwraid_dmraid_SRCS := $(hwraid_CORE)
test_hwraid_dmraid_LIBS := -ljansson

FUZZERS += fuzz_hwraid_dmraid
fuzz_hwraid_dmraid_SRCS := $(hwraid_CORE)
fuzz_hwraid_dmraid_LIBS := -ljansson

UNIT_TESTS += hwraid_twcli
test_hwraid_twcli_SRCS := $(hwraid_CORE)
test_hwraid_twcli_LIBS := -ljansson

FUZZERS += fuzz_hwraid_twcli
fuzz_hwraid_twcli_SRCS := $(hwraid_CORE)
fuzz_hwraid_twcli_LIBS := -ljansson

UNIT_TESTS += hwraid_sas2ircu
test_hwraid_sas2ircu_SRCS := $(hwraid_CORE)
test_hwraid_sas2ircu_LIBS := -ljansson

FUZZERS += fuzz_hwraid_sas2ircu
fuzz_hwraid_sas2ircu_SRCS := $(hwraid_CORE)
fuzz_hwraid_sas2ircu_LIBS := -ljansson
