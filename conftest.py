import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_directory(settings, tmp_path_factory):
    # Photos and attachments the tests upload never land in the checkout's var/media.
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True, scope="session")
def _test_flush_may_empty_the_audit_tables():
    """The audit tables refuse TRUNCATE on PostgreSQL (core migration 0005), which is how
    Django's TransactionTestCase empties every table between transactional tests. The test
    flush, and only it, says so first in its own transaction (``SET LOCAL``)."""
    try:
        from django.db.backends.postgresql.operations import DatabaseOperations
    except ImportError:  # no PostgreSQL driver: nothing to patch
        yield
        return
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not statements:
            return statements
        return ["SET LOCAL tongchou.allow_audit_truncate = 'on'", *statements]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original
