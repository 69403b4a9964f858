"""Persistence: SQLAlchemy 2 models, Alembic migrations and small repositories.

SQLite file under the data directory by default, PostgreSQL via DT_DATABASE_URL.
"""
