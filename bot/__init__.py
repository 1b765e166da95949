"""article-bot: a Discord bot that discusses one article by quoting it verbatim."""
