from subprocessors.tests.conftest import clock  # noqa: F401 - the register's frozen START
