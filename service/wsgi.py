"""The WSGI entry point for gunicorn and other servers: ``service.wsgi:app``."""

from . import create_app

app = create_app()
