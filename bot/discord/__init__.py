"""The Discord adapter: cogs read events, the service answers, views send the reply."""
