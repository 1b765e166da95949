"""Storage: conversation state, the turn log, feedback and audit (all SQL lives here)."""
