"""Run migrations against DATABASE_URL, comparing with the records in licensing.persistence.models."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, event, pool
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import licensing.persistence.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.config import load_config

config = context.config
target_metadata = SQLModel.metadata

# The app calls Alembic in-process and keeps its own logging; only the `alembic` command line sets it up.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name)


def database_url() -> str:
    """Return the URL given by the caller, else the app's DATABASE_URL."""
    return config.get_main_option("sqlalchemy.url") or load_config()["DATABASE_URL"]


def configure(**kwargs) -> None:
    """Configure the migration context the same way online and offline."""
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters most tables only by copying them; batch mode does that
        compare_type=True,
        **kwargs,
    )


def migration_engine(url: str) -> Engine:
    """Create a one-off engine; on SQLite, make DDL transactional so a failed migration rolls back."""
    engine = create_engine(url, poolclass=pool.NullPool)
    if engine.dialect.name == "sqlite":
        # pysqlite opens a transaction only before INSERT/UPDATE/DELETE, so DDL would autocommit statement
        # by statement; let SQLAlchemy emit BEGIN instead. Foreign keys stay off (SQLite's default), as
        # batch mode's copy-and-rename of a referenced table requires.
        event.listen(engine, "connect", _leave_transactions_to_sqlalchemy)
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    return engine


def _leave_transactions_to_sqlalchemy(dbapi_connection, _record) -> None:
    """Stop pysqlite from beginning and committing transactions on its own."""
    dbapi_connection.isolation_level = None


def run_migrations_offline() -> None:
    """Emit the migration SQL for `alembic upgrade --sql` without connecting."""
    configure(url=database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Connect and apply the migrations in one transaction (where the database allows it)."""
    engine = migration_engine(database_url())
    with engine.connect() as connection:
        configure(connection=connection, transactional_ddl=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
