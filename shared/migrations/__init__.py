"""Alembic support every service's migrations use: the runner, env.py body and kernel tables."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine


def upgrade(engine: Engine, script_location: Path) -> None:
    """Bring a service's database to its newest migration."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("version_table", "alembic_version")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        from shared.migrations import kernel_0002, kernel_0003

        kernel_0003.upgrade(connection)
        kernel_0002.upgrade(connection)


def run_env(context) -> None:
    """The body of every service's env.py: run migrations on the given connection or URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    from shared.db import create_engine

    engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        context.configure(connection=connection, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
