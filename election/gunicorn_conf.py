"""gunicorn settings for Juxuan: ``gunicorn -c python:election.gunicorn_conf wsgi:app``.

The access log goes through `election.logs.AccessLogger`, which drops query strings and
receipt codes; the bind address, workers and threads come from the command line or
GUNICORN_CMD_ARGS as usual.
"""
logger_class = "election.logs.AccessLogger"
accesslog = "-"
# Without the client's user agent: it adds nothing to an election's record.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(L)s'
