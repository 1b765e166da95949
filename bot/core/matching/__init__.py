"""Matching a question to intents: ranking, its index, typo correction, meaning, form."""
