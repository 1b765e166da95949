"""The Discord adapter through the real discord.py client and the loopback fake Discord."""
