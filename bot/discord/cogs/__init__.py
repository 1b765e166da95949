"""One feature per cog: asking, summaries, moderation."""
