"""Benchmarks of article-bot: ``python -m benchmarks [match|turn|e2e|startup|store]``."""
