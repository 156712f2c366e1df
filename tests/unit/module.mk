# Unit tests of the core.  A test named T is tests/unit/test_T.c linked with
# test_T_SRCS (and test_T_LIBS); plugin tests live in plugins/<name>/module.mk.
UNIT_TESTS += model agg bus config json
test_model_SRCS := src/model.c
test_agg_SRCS := src/agg.c src/marks.c src/expect.c src/scrub.c src/disk_join.c src/bus.c src/model.c src/event.c src/json.c
test_agg_LIBS := -ljansson -lm
UNIT_TESTS += disk_join heap fd_shares
test_heap_SRCS := src/heap.c
test_fd_shares_SRCS := src/fd_shares.c
test_disk_join_SRCS := src/disk_join.c src/agg.c src/marks.c src/expect.c src/scrub.c src/bus.c src/model.c src/event.c src/json.c
test_disk_join_LIBS := -ljansson -lm
test_bus_SRCS := src/bus.c src/event.c src/model.c src/json.c
test_bus_LIBS := -ljansson -lm
test_config_SRCS := src/config.c src/expect.c src/snmp/snmp_settings.c src/settings.c src/sink_settings.c src/event.c src/json.c src/model.c src/plugin_loader.c src/trusted_path.c \
	src/policy.c src/spool.c
test_config_LIBS := -ljansson -ldl
test_json_SRCS := src/json.c src/model.c src/event.c
test_json_LIBS := -ljansson

# Deltas: a probe handing over only what changed, against whole scans.
UNIT_TESTS += delta
test_delta_SRCS := src/probe.c src/fd_shares.c src/report_memo.c src/agg.c src/marks.c src/expect.c src/scrub.c src/disk_join.c src/bus.c \
	src/config.c src/snmp/snmp_settings.c src/settings.c src/sink_settings.c src/policy.c src/model.c src/log.c \
	src/event.c src/json.c src/spool.c src/plugin_loader.c src/trusted_path.c
test_delta_LIBS := -ljansson -ldl -lm

# A plugin's NAME.sources: the parser and whether a source exists under a root.
UNIT_TESTS += plugin_sources
test_plugin_sources_SRCS := src/plugin_sources.c

# The loader test runs against plugins built from tests/unit/plugins/good.c.
UNIT_TESTS += plugin_loader
test_plugin_loader_SRCS := src/plugin_loader.c src/trusted_path.c src/probe.c src/fd_shares.c src/report_memo.c src/config.c src/expect.c src/snmp/snmp_settings.c src/settings.c src/sink_settings.c src/policy.c src/model.c \
	src/log.c src/event.c src/json.c src/spool.c
test_plugin_loader_LIBS := -ljansson -ldl
TEST_PLUGIN_DIR := $(BUILD)/tests/plugins
TEST_PLUGINS := good nosym abi99 short badname not-elf old badmember badgroup misnamed
test_plugin_flags_good :=
test_plugin_flags_nosym := -DTEST_SYMBOL=something_else
test_plugin_flags_abi99 := -DTEST_ABI=99
test_plugin_flags_short := -DTEST_SIZE=16
test_plugin_flags_badname := '-DTEST_NAME="Bad Name"'
test_plugin_flags_old := -DTEST_OLD_LAYOUT '-DTEST_NAME="old"'
test_plugin_flags_badmember := -DTEST_MEMBER_SIZE=8 '-DTEST_NAME="badmember"'
test_plugin_flags_badgroup := -DTEST_GROUP_SIZE=8 '-DTEST_NAME="badgroup"'
test_plugin_flags_misnamed := '-DTEST_NAME="other"'
$(TEST_PLUGIN_DIR)/%.so: tests/unit/plugins/good.c include/redmon/plugin.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(test_plugin_flags_$*) -shared -o $@ $<
$(TEST_PLUGIN_DIR)/not-elf.so:
	@mkdir -p $(@D)
	printf 'not a shared object\n' > $@
$(BUILD)/tests/test_plugin_loader: | $(TEST_PLUGINS:%=$(TEST_PLUGIN_DIR)/%.so)

# Alerts (docs/alerts.md): dispatcher, spool, state, policies.
UNIT_TESTS += sink spool state policy
test_sink_SRCS := src/sink.c src/sink_json.c src/sink_exec.c src/sink_webhook.c \
	src/sink_syslog.c src/sink_textfile.c src/mail_render.c src/mail_smtp.c src/curl_loop.c src/spool.c src/state.c \
	src/policy.c src/agg.c src/marks.c src/expect.c src/scrub.c src/disk_join.c src/bus.c src/event.c src/json.c src/model.c src/config.c src/snmp/snmp_settings.c src/settings.c src/sink_settings.c src/log.c \
	src/loop.c src/loop_timer.c src/plugin_loader.c src/trusted_path.c
test_sink_LIBS := -ljansson -ldl -lm
# The mail text needs the dispatcher's escaping (text_one_line_dup()), hence the same sources.
UNIT_TESTS += mail_render
test_mail_render_SRCS := $(test_sink_SRCS)
test_mail_render_LIBS := $(test_sink_LIBS)
test_spool_SRCS := src/spool.c
test_state_SRCS := src/state.c src/spool.c src/agg.c src/marks.c src/expect.c src/scrub.c src/disk_join.c src/bus.c src/event.c src/json.c src/model.c \
	src/log.c src/loop_timer.c src/loop.c
test_state_LIBS := -ljansson -lm
test_policy_SRCS := src/policy.c src/config.c src/expect.c src/snmp/snmp_settings.c src/settings.c src/sink_settings.c src/event.c src/json.c src/model.c \
	src/plugin_loader.c src/trusted_path.c src/spool.c
test_policy_LIBS := -ljansson -ldl

# Programs redmon runs (hooks, sendmail): nobody else may replace them.
UNIT_TESTS += trusted_path
test_trusted_path_SRCS := src/trusted_path.c

# The alert integration tests (tests/integration/test_alerts*.py, test_state*.py)
# load this probe: groups from a file the test rewrites, names of any bytes.
FAKE_PROBE := $(BUILD)/tests/probes/fake.so
$(FAKE_PROBE): tests/integration/fake_probe.c include/redmon/plugin.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -shared -o $@ $<
$(BUILD)/tests/test_sink: | $(FAKE_PROBE)

# tests/integration/test_privhelper.py loads this probe: it registers and runs a command.
CMD_PROBE := $(BUILD)/tests/probes/cmd.so
$(CMD_PROBE): tests/integration/cmd_probe.c include/redmon/plugin.h src/privhelper.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -shared -o $@ $<
$(BUILD)/tests/test_child: | $(CMD_PROBE)

# The commands probes run and the privileged helper that runs them as root
# (the test includes src/privhelper.c: it calls the helper's side directly).
UNIT_TESTS += privhelper
test_privhelper_SRCS := src/privdrop.c src/trusted_path.c src/log.c \
	src/loop_timer.c src/loop.c src/config.c src/expect.c src/snmp/snmp_settings.c src/settings.c src/sink_settings.c src/event.c src/json.c src/model.c \
	src/plugin_loader.c src/policy.c src/spool.c $(PLUGIN_LIB_CHILD)
test_privhelper_LIBS := -ljansson -ldl -lm

# The SNMP subagent's parts that need no net-snmp: index state file and MIB rules.
UNIT_TESTS += subagent
test_subagent_SRCS := src/snmp/subagent_index.c src/spool.c src/snmp/subagent_rules.c src/json.c src/model.c src/event.c
test_subagent_LIBS := -ljansson

# The AgentX walk requests answered without net-snmp: the codec and the stream split.
UNIT_TESTS += agentx
test_agentx_SRCS := src/snmp/agentx_pdu.c src/snmp/agentx_stream.c

# Probes on their own threads (src/probe_thread.c) with an in-process test plugin.
UNIT_TESTS += probe_thread
test_probe_thread_SRCS := src/probe_thread.c src/probe.c src/fd_shares.c src/report_memo.c src/config.c src/expect.c src/snmp/snmp_settings.c src/settings.c src/sink_settings.c src/policy.c src/model.c \
	src/log.c src/loop.c src/loop_timer.c src/plugin_loader.c src/trusted_path.c src/event.c src/json.c src/spool.c
test_probe_thread_LIBS := -ljansson -ldl

# The operator's marks and the control socket's requests (ack, maintenance, forget).
UNIT_TESTS += control
test_control_SRCS := src/control.c src/marks.c src/agg.c src/expect.c src/scrub.c src/disk_join.c src/bus.c \
	src/model.c src/event.c src/json.c src/policy.c src/settings.c src/status.c src/log.c src/loop_timer.c src/loop.c
test_control_LIBS := -ljansson -lm
