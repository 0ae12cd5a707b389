# Production image for Klankbord. Build: docker build -t klankbord .
# Every Python package comes from a lock file with hashes (requirements/, written by
# `./dev lock`); the project is built into a wheel and installed non-editable.
FROM node:20-bookworm-slim AS static
WORKDIR /build
COPY package.json package-lock.json dev ./
# htmx and the NL Design System CSS into static/vendor/, as `./dev setup` does.
RUN npm ci --no-audit --no-fund && ./dev vendor

# The project's wheel, built by the hash-locked build backend without build isolation, so
# nothing is fetched for it unhashed.
FROM python:3.11-slim-bookworm AS wheel
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements/build.txt ./requirements/build.txt
RUN pip install --no-cache-dir --require-hashes --only-binary :all: -r requirements/build.txt
COPY pyproject.toml README.md ./
COPY survey_app ./survey_app
COPY surveys ./surveys
COPY analysis ./analysis
RUN pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KLANKBORD_VAR_DIR=/var/lib/klankbord \
    KLANKBORD_TRUSTED_PROXIES="" \
    WORKERS=2
# Pango, HarfBuzz and a font for WeasyPrint's PDF reports.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system klankbord && useradd --system --gid klankbord --home /app klankbord \
    && mkdir -p /var/lib/klankbord && chown klankbord:klankbord /var/lib/klankbord
WORKDIR /app
# The runtime lock only: no test tools in the image.
COPY requirements/base.txt /tmp/requirements/base.txt
RUN pip install --no-cache-dir --require-hashes --only-binary :all: -r /tmp/requirements/base.txt \
    && rm -r /tmp/requirements
COPY --from=wheel /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-deps /tmp/wheels/*.whl && rm -r /tmp/wheels
# Pages and static files are not Python packages: they live in /app, named by
# KLANKBORD_SITE_DIR (survey_app/core/settings.py).
ENV KLANKBORD_SITE_DIR=/app
COPY templates /app/templates
COPY static /app/static
COPY --from=static /build/static/vendor /app/static/vendor
RUN python -c 'from survey_app.app import STATIC_DIR; from survey_app.web.templates import TEMPLATE_DIR; assert (TEMPLATE_DIR / "base.html").is_file() and all((STATIC_DIR / "vendor" / name).is_file() for name in ("htmx.min.js", "nl-design-system.css"))'
USER klankbord
EXPOSE 8000
VOLUME ["/var/lib/klankbord"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
# Behind a reverse proxy: run with -e KLANKBORD_TRUSTED_PROXIES=<its address or network>, or
# every visitor counts as the proxy in the rate limits.
CMD ["sh", "-c", "survey-app db upgrade && exec survey-app serve --host 0.0.0.0 --port 8000 --workers ${WORKERS}"]
