# syntax=docker/dockerfile:1
# Build stage: install the project into a virtual environment and compile the catalogs.
FROM python:3.11-slim-bookworm AS build
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY bot.py settings.py babel.cfg ./
COPY accounts accounts
COPY broadcasts broadcasts
COPY charts charts
COPY questions questions
COPY db db
COPY delivery delivery
COPY demo demo
COPY events events
COPY handlers handlers
COPY i18n i18n
COPY pledges pledges
COPY locales locales
COPY sandbox sandbox
COPY surveys surveys
RUN pip install --no-cache-dir . \
    && for po in locales/*/LC_MESSAGES/messages.po; do \
         pybabel compile --domain messages --input-file "$po" --output-file "${po%.po}.mo"; \
       done

# Runtime stage: the venv, the code and compiled catalogs. Charts ship their fonts (charts/fonts/);
# the full Noto Sans CJK adds the Chinese characters beyond the shipped GB 2312 subset.
FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install --no-install-recommends -y fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 10001 tideline
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=tideline:tideline /app /app
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/tideline.db \
    HEARTBEAT_FILE=/tmp/tideline.alive
RUN mkdir /data && chown tideline:tideline /data
VOLUME /data
USER tideline
EXPOSE 8443
# Healthy when the configuration loads, the database is at the schema this code needs and the
# bot's heartbeat (HEARTBEAT_FILE, written every 30 s while it serves) is fresh.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "handlers.runtime.healthcheck"]
ENTRYPOINT ["python", "bot.py"]
CMD ["run"]
