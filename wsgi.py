"""WSGI entry point for gunicorn: `gunicorn wsgi:app`.

Production unless CROSSCHECK_ENV says otherwise: without a strong SECRET_KEY and a PostgreSQL
DATABASE_URL the app refuses to start, so no worker boots.
"""

from app import create_app

app = create_app()
