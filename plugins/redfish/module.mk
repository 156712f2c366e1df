# The Redfish probe's HTTPS source (plugins/redfish/redfish_http.c), tested
# against tests/integration/redfish_server.py on loopback.
UNIT_TESTS += redfish_http
test_redfish_http_SRCS := plugins/redfish/redfish_http.c
test_redfish_http_LIBS := -lcurl -ljansson

# What a BMC answers (status, header lines, body) -> the token, session path
# and reasons kept of it (the target includes redfish_http.c).
FUZZERS += fuzz_redfish_http
fuzz_redfish_http_LIBS := -lcurl -ljansson
