"""What keeps the bot fast under load: bursts, descriptors, the benchmarks' own probes."""
