"""The core: article, intents, matching, dialogue and summaries; it never imports discord."""
