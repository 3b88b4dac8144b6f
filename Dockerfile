# hms-tracker in three stages: front-end packages (npm) → wheel and locked virtualenv →
# slim runtime as a non-root user. tests/test_packaging.py checks that every file copied
# here exists and that the runtime has USER, HEALTHCHECK and migrations on start.
#
#   docker build -t hms-tracker .
#   SQLite in a volume (the secret key is generated into the volume on first start):
#     docker run -p 8000:8000 -v hms-var:/app/var hms-tracker
#   PostgreSQL (HMS_SECRET_KEY is then required, the same on every instance):
#     docker run -p 8000:8000 -e HMS_DATABASE_URL=postgresql://hms:…@db/hms \
#       -e HMS_SECRET_KEY=… hms-tracker

# --- 1. front-end packages, pinned in package-lock.json -------------------------------------
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error
# Copies htmx and Designsystemet into src/hms_tracker/static/vendor.
RUN npm run build

# --- 2. the wheel, and a virtualenv with the hash-checked runtime dependencies -------------
FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements.lock requirements-dev.lock ./
# The application's virtualenv: exactly requirements.lock.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --require-hashes -r requirements.lock
# Build tools (hatchling, build, babel) from the dev lock, also hash-checked, in a separate
# environment that does not reach the runtime image.
RUN python -m venv /opt/buildtools \
    && /opt/buildtools/bin/pip install --require-hashes -r requirements-dev.lock
COPY pyproject.toml hatch_build.py README.md ./
COPY src/ src/
COPY templates/ templates/
COPY migrations/ migrations/
COPY --from=assets /build/src/hms_tracker/static/vendor/ src/hms_tracker/static/vendor/
# hatch_build.py packs templates/ and migrations/ and compiles the .po catalogues to .mo.
RUN /opt/buildtools/bin/python -m build --wheel --no-isolation --outdir /dist . \
    && /opt/venv/bin/pip install --no-deps /dist/*.whl \
    && /opt/venv/bin/python -c "from hms_tracker import paths; assert (paths.TEMPLATES_DIR / 'base.html').is_file(), paths.TEMPLATES_DIR; assert (paths.VENDOR_DIR / 'htmx.min.js').is_file()"

# --- 3. runtime ----------------------------------------------------------------------------
FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HMS_VAR_DIR=/app/var
# HMS_DATABASE_URL and HMS_SECRET_KEY come from the environment at run time; no secret is
# baked into the image. Without HMS_DATABASE_URL the app uses SQLite under /app/var.
RUN groupadd --system --gid 10001 hms \
    && useradd --system --uid 10001 --gid hms --home-dir /app --shell /usr/sbin/nologin hms \
    && mkdir -p /app/var \
    && chown -R hms:hms /app
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
USER 10001:10001
VOLUME ["/app/var"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# Migrations on start, then the server; exec makes it PID 1, so `docker stop` reaches it.
CMD ["sh", "-c", "hms-tracker migrate && exec hms-tracker serve --host 0.0.0.0 --port 8000"]
