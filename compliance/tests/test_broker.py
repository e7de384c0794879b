"""The embedded broker writes each message whole before a worker can see it."""

import os

from kombu import Connection

from compliance import broker


def test_filesystem_urls_use_the_atomic_transport(tmp_path):
    """A `filesystem://` connection resolves to our transport; a published message is one
    complete file under its final name, nothing partial left behind, and it reads back."""
    import config.celery  # noqa: F401 - registers the transport, as every process does

    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    with Connection("filesystem://", transport_options=options) as connection:
        assert isinstance(connection.transport, broker.Transport)
        queue = connection.SimpleQueue("atomic-test")
        queue.put({"n": 1})
        names = os.listdir(tmp_path)
        assert len(names) == 1 and names[0].endswith(".atomic-test.msg")
        assert not any(n.endswith(broker.PARTIAL_SUFFIX) for n in names)
        message = queue.get_nowait()
        assert message.payload == {"n": 1}
        message.ack()
        queue.close()


def test_a_partial_file_is_not_consumed(tmp_path):
    """A message still being written (its partial name) is invisible to consumers."""
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    (tmp_path / f"1_abc.partial-test.msg{broker.PARTIAL_SUFFIX}").write_bytes(b"")
    with Connection("filesystem://", transport_options=options) as connection:
        queue = connection.SimpleQueue("partial-test")
        try:
            queue.get_nowait()
            raise AssertionError("a partial file was consumed")
        except queue.Empty:
            pass
        queue.close()
