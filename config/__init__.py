# The Celery app is loaded with Django so that `delay_on_commit` in services
# publishes through the configured broker (cookiecutter-django layout).
from .celery_app import app as celery_app

__all__ = ("celery_app",)
