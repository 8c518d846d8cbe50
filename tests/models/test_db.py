"""The database connection: settings the application relies on."""
import pytest
from peewee import PostgresqlDatabase


def test_postgresql_connections_run_without_jit_and_keep_the_urls_options(db, postgres_url):
    if not isinstance(db, PostgresqlDatabase):
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    assert db.execute_sql("SHOW jit").fetchone() == ("off",)  # short queries: no compiling
    assert db.execute_sql("SHOW search_path").fetchone()[0].startswith("test_")  # the test's own schema
