# Unit tests of the core.  A test named T is tests/unit/test_T.c linked with
# test_T_SRCS (and test_T_LIBS); plugin tests live in plugins/<name>/module.mk.
UNIT_TESTS += model agg config json
test_model_SRCS := src/model.c
test_agg_SRCS := src/agg.c src/model.c src/event.c src/json.c
test_agg_LIBS := -ljansson -lm
test_config_SRCS := src/config.c src/event.c src/json.c src/model.c src/plugin_loader.c
test_config_LIBS := -ljansson -linih -ldl
test_json_SRCS := src/json.c src/model.c src/event.c
test_json_LIBS := -ljansson
