"""Alembic environment: the database URL and the models come from the app itself."""

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import betterjournal.models  # noqa: F401  (registers the tables)
from betterjournal.db import get_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def render_item(type_, obj, autogen_context):
    """Render our custom column types with an import the migration can resolve."""
    if type_ == "type" and obj.__class__.__module__ == "betterjournal.models":
        autogen_context.imports.add("import betterjournal.models")
        return f"betterjournal.models.{obj.__class__.__name__}()"
    if type_ == "type" and obj.__class__.__module__.startswith("sqlmodel"):
        autogen_context.imports.add("import sqlmodel")
        length = f"length={obj.length}" if getattr(obj, "length", None) else ""
        return f"sqlmodel.sql.sqltypes.{obj.__class__.__name__}({length})"
    return False


def _drop_unfinished_copies(connection) -> None:
    """A SQLite table rebuild interrupted before its commit leaves its copy behind
    (`_alembic_tmp_<table>`: the driver creates it outside the transaction that then rolls
    back) while the table itself is intact; the next run would stop on "already exists"."""
    tables = {
        row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    for name in tables:
        if name.startswith("_alembic_tmp_") and name.removeprefix("_alembic_tmp_") in tables:
            connection.exec_driver_sql(f'DROP TABLE "{name}"')


def run_migrations() -> None:
    connectable = config.attributes.get("connection") or get_engine()
    with connectable.connect() if hasattr(connectable, "connect") else connectable as connection:
        # SQLite alters a table by copying it, dropping the old one and renaming the copy.
        # With foreign keys on, dropping a parent table would cascade into its children
        # (deleting their rows, or nulling their references), so they are off while
        # migrating, and checked before the migration commits.
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            _drop_unfinished_copies(connection)
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=SQLModel.metadata,
                compare_type=True,
                render_as_batch=True,
                render_item=render_item,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").all()):
                    raise RuntimeError(f"the migration broke {len(broken)} foreign key(s); nothing changed")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


run_migrations()
