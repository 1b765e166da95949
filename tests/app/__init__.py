"""The bot as a user runs it: the command line, config, reloads, signals, hostile input."""
