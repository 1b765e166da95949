"""The Discord adapter: a thin layer that parses Discord events, calls the service, renders."""
