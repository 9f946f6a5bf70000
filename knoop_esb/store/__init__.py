"""The node's store: SQLAlchemy 2 models, the engine/session (`db.Database`), repositories per
concern (Handelsregister history, queue, outbox, …) and the Alembic migrations that own the schema."""
