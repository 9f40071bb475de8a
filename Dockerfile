# syntax=docker/dockerfile:1
# One image for every process: gunicorn serves the web app (WhiteNoise serves the static files),
# and the same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000

# WeasyPrint (PDFs) needs Pango; python-magic needs libmagic; Noto CJK renders Hangul wherever a
# document does not embed the KRDS web font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libmagic1 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system app && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. pyproject.toml installs no
# packages of its own ([tool.setuptools] packages = []): the code runs from /app.
COPY pyproject.toml ./
RUN pip install . && rm -rf build *.egg-info

COPY . .

# Static files are collected at build time with the production storage (hashed names). The
# secrets here exist only for this step; the running container needs its own.
RUN DEBUG=0 \
    SECRET_KEY=image-build-only-not-a-real-secret-key-0123456789abcdefghij \
    INTEGRITY_HASH_KEY=image-build-only \
    python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p var/media \
    && chown -R app:app var

USER app
EXPOSE 8000

CMD ["sh", "-c", "exec gunicorn procurement.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --timeout 60 --access-logfile -"]
