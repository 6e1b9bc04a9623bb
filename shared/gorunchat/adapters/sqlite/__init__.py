"""The embedded default store: SQLite in WAL mode, one table per collection."""
