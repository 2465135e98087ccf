"""gunicorn's settings for Booké (read from the working directory; the command line wins).

Threads, not plain sync workers: a client downloading a 2 GB delivery ZIP keeps a request
open for minutes, and a sync worker that does not come back to its arbiter within `timeout`
is killed mid-download. A gthread worker's main thread keeps answering the arbiter while
other threads stream; the threads also let one slow phone not hold a whole process."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Only a worker that stops answering its arbiter is killed; long downloads are not.
timeout = 60
graceful_timeout = 30
keepalive = 5
# A worker is replaced now and then, so that slow growth (caches, fragmentation) never adds up.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
