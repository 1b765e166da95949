# article-bot: the Discord bot, as a non-root user, its database on the /data volume.
#   docker build -t article-bot .
#   docker run -d --name article-bot -e DISCORD_TOKEN=... -v article-bot-data:/data article-bot
# compose.yaml runs it beside PostgreSQL; README "Deployment" says more.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed uid, so a host folder mounted at /data or /app/intents can be given to it (chown 10001).
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin bot

# The package, installed (not editable) from a copy that is then removed: nothing in the working
# directory can shadow the installed code.
COPY pyproject.toml README.md /tmp/src/
COPY bot /tmp/src/bot
RUN pip install /tmp/src && rm -rf /tmp/src

WORKDIR /app
# The article and its sections are read only. The intents folder belongs to the bot: moderators'
# /intent add writes intents/added-<id>.yaml there.
COPY seeds ./seeds
COPY --chown=bot:bot intents ./intents
COPY deploy/config.docker.yaml ./deploy/config.docker.yaml
RUN mkdir -p /data && chown bot:bot /data
VOLUME ["/data"]

ENV ARTICLE_BOT_CONFIG=/app/deploy/config.docker.yaml
USER bot

# The bot touches /data/heartbeat from its event loop; three missed beats make it unhealthy.
# The start period covers a first start that indexes the intents and logs in to Discord.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["article-bot", "health"]

# SIGTERM: stop taking questions, finish the replies in flight, close the database (< 10 s).
STOPSIGNAL SIGTERM
CMD ["article-bot", "run"]
