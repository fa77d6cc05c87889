"""The one WSGI entry point for gunicorn and flask: `app = create_app()`."""
from election.app import create_app

app = create_app()
