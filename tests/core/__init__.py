"""The core: article, intents, matching, dialogue, loading; no Discord, no database."""
