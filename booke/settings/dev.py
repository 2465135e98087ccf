"""`make run`: the embedded defaults (SQLite, local files, ORM broker, console mail)."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = ["*"]
