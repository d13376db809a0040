"""Local development and the demo: safe defaults, debug on unless told otherwise."""

from federation.settings.base import *  # noqa: F403
from federation.settings.env import env_bool

DEBUG = env_bool("DEBUG", True)
