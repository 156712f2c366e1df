# libFuzzer targets of the core (plugin fuzzers live in plugins/<name>/module.mk).
# fuzz_config: bytes -> a configuration file (and -o overrides after a NUL) -> cfg_load.
FUZZERS += fuzz_config
fuzz_config_SRCS := src/config.c src/expect.c src/snmp/snmp_settings.c src/settings.c src/sink_settings.c src/event.c src/json.c src/model.c src/plugin_loader.c src/trusted_path.c \
	$(wildcard src/policy.c) src/spool.c
fuzz_config_LIBS := -ljansson -ldl -lm

# fuzz_privhelper: bytes -> one request to the privileged helper -> serve_one()
# (the target includes src/privhelper.c: the helper's side is static).
FUZZERS += fuzz_privhelper
fuzz_privhelper_SRCS := src/privdrop.c src/trusted_path.c src/log.c src/loop_timer.c src/loop.c \
	src/config.c src/expect.c src/snmp/snmp_settings.c src/settings.c src/sink_settings.c src/event.c src/json.c \
	src/model.c src/plugin_loader.c src/policy.c src/spool.c
fuzz_privhelper_LIBS := -ljansson -ldl -lm

# fuzz_control: bytes -> a control socket request -> control_handle(), or a saved marks list.
FUZZERS += fuzz_control
fuzz_control_SRCS := src/control.c src/marks.c src/agg.c src/expect.c src/scrub.c src/disk_join.c src/bus.c \
	src/model.c src/event.c src/json.c src/policy.c src/settings.c src/status.c src/log.c src/loop_timer.c src/loop.c
fuzz_control_LIBS := -ljansson -lm

# fuzz_plugin_sources: bytes -> a plugin's NAME.sources -> plug_sources_parse().
FUZZERS += fuzz_plugin_sources
fuzz_plugin_sources_SRCS := src/plugin_sources.c

# fuzz_agentx: bytes -> the AgentX master's stream in pieces -> the walk requests
# answered without net-snmp, the rest handed to it (src/snmp/agentx_stream.c).
FUZZERS += fuzz_agentx
fuzz_agentx_SRCS := src/snmp/agentx_pdu.c src/snmp/agentx_stream.c
