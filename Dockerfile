# Production image for Klankbord. Build: docker build -t klankbord .
FROM node:20-bookworm-slim AS static
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    KLANKBORD_VAR_DIR=/var/lib/klankbord \
    WORKERS=2
RUN groupadd --system klankbord && useradd --system --gid klankbord --home /app klankbord \
    && mkdir -p /var/lib/klankbord && chown klankbord:klankbord /var/lib/klankbord
WORKDIR /app
COPY pyproject.toml README.md ./
COPY survey_app ./survey_app
COPY surveys ./surveys
COPY analysis ./analysis
COPY templates ./templates
COPY static ./static
COPY --from=static /build/node_modules/htmx.org/dist/htmx.min.js ./static/vendor/htmx.min.js
RUN pip install -e . && chown -R root:root /app
USER klankbord
EXPOSE 8000
VOLUME ["/var/lib/klankbord"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"
CMD ["sh", "-c", "survey-app db upgrade && exec survey-app serve --host 0.0.0.0 --port 8000 --workers ${WORKERS}"]
