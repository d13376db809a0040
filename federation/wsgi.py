"""WSGI entry point for gunicorn."""

import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federation.settings.production")

application = get_wsgi_application()

# The code a worker runs is ~135,000 objects, a third of them imported by the URLconf (every
# app's views, serializers and filters), and each full collection of the cyclic garbage
# collector walked them all again: 60-170 ms, every few hundred requests, in the middle of one.
# Import them now rather than on the first request, and leave them out of collections for good.
import_module(settings.ROOT_URLCONF)
gc.collect()
gc.freeze()
