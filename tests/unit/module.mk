# Unit tests of the core.  A test named T is tests/unit/test_T.c linked with
# test_T_SRCS (and test_T_LIBS); plugin tests live in plugins/<name>/module.mk.
