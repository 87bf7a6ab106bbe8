"""ASGI entry point for uvicorn and other servers: ``servicelist.api.asgi:app``."""

from servicelist.api.app import create_app

app = create_app()
