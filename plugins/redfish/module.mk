# redfish probe: PSUs, fans and controller volumes through a BMC's Redfish
# service, or a DMTF mockup tree under --root (docs/redfish.md).
PLUGINS += redfish

# The walk and its rules, with the mockup-file source: what tests and fuzzers link.
redfish_CORE := plugins/redfish/redfish_walk.c plugins/redfish/redfish_groups.c \
                plugins/redfish/redfish_files.c
# libcurl is not linked: plugins/lib/curl_dl.c loads it when a url is configured.
redfish_HTTP := plugins/redfish/redfish_http.c
redfish_SRCS := $(redfish_CORE) $(redfish_HTTP) plugins/redfish/redfish.c
redfish_LIBS := -ljansson -ldl -lpthread

UNIT_TESTS += redfish_walk
test_redfish_walk_SRCS := $(redfish_CORE)
test_redfish_walk_LIBS := -ljansson

# The plugin (worker, one-shot scans, options) against the fake host.
UNIT_TESTS += redfish_plugin
test_redfish_plugin_SRCS := $(redfish_SRCS) tests/unit/fake_host.c
test_redfish_plugin_LIBS := $(redfish_LIBS)

FUZZERS += fuzz_redfish_walk
fuzz_redfish_walk_SRCS := $(redfish_CORE)
fuzz_redfish_walk_LIBS := -ljansson

# The HTTPS source (plugins/redfish/redfish_http.c), tested against
# tests/integration/redfish_server.py on loopback.
UNIT_TESTS += redfish_http
# It loads libcurl as the plugin does (plugins/lib/curl_dl.c), and tests that loader.
test_redfish_http_SRCS := $(redfish_HTTP)
test_redfish_http_LIBS := -ljansson -ldl -lpthread

# What a BMC answers (status, header lines, body) -> the token, session path
# and reasons kept of it (the target includes redfish_http.c).
FUZZERS += fuzz_redfish_http
fuzz_redfish_http_SRCS :=
fuzz_redfish_http_LIBS := -ljansson -ldl -lpthread
