"""The one WSGI entry point for gunicorn and flask: `app = create_app()`."""
import gc

from election.app import create_app

app = create_app()
# Everything built at startup (the app, its routes, the models' mappers and the compiled
# statements they cache) lives as long as the worker: out of the collector's reach, so a
# full collection no longer walks it (it cost a check-in about 0.3 ms of CPU on average).
gc.freeze()
