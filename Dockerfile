# The servicelist API: uvicorn on port 8000, storing the lists in SQLite on a volume unless
# SERVICELIST_DATABASE_URL names another database.
#
#   docker build -t servicelist .
#   docker run -p 8000:8000 -v servicelist-data:/var/lib/servicelist \
#       -e SERVICELIST_BASE_URI=https://services.example.org/ servicelist
#
# Settings, all optional:
# - SERVICELIST_BASE_URI: prefix of every URI the API mints in its JSON and RDF, so set it to
#   the public address (default http://127.0.0.1:8000/).
# - SERVICELIST_DATABASE_URL: SQLAlchemy URL. The default is the SQLite file on the volume.
#   For PostgreSQL use postgresql://USER:PASSWORD@HOST:5432/DATABASE (psycopg 3 is installed).
# On an empty database `servicelist serve` migrates the schema and loads the bundled lists
# before it starts listening.
#
# The server runs as user servicelist (uid 10001), so a bind-mounted host directory for
# /var/lib/servicelist must be writable by that uid. A named volume gets the right owner.

FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/servicelist
WORKDIR /src
COPY . .
# A regular (non-editable) install. The wheel carries data/ as servicelist/bundled_data, so the
# runtime image needs nothing from the source tree.
RUN /opt/servicelist/bin/pip install --constraint constraints.txt .


FROM python:3.11-slim

ENV PATH=/opt/servicelist/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SERVICELIST_DATABASE_URL=sqlite:////var/lib/servicelist/servicelist.sqlite3

COPY --from=build /opt/servicelist /opt/servicelist
RUN useradd --system --user-group --uid 10001 --no-create-home \
        --home-dir /var/lib/servicelist --shell /usr/sbin/nologin servicelist \
    && mkdir -p /var/lib/servicelist \
    && chown servicelist:servicelist /var/lib/servicelist

# The working directory is the volume, the one place the server can write to.
WORKDIR /var/lib/servicelist
VOLUME ["/var/lib/servicelist"]
USER servicelist

EXPOSE 8000
HEALTHCHECK --start-period=60s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/v1/lists', timeout=5)"]
CMD ["servicelist", "serve", "--host", "0.0.0.0", "--port", "8000"]
