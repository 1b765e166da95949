"""The store: a real SQLite file, its writer thread, crash safety."""
