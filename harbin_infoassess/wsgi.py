"""
WSGI config for harbin_infoassess project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'harbin_infoassess.settings')

application = get_wsgi_application()

# What is loaded now lives as long as the process: keep the garbage collector from scanning it again on
# every full collection (about a fifth of a full-year scoring's time, scripts/benchmark).
gc.freeze()
