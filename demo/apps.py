from django.apps import AppConfig


class DemoConfig(AppConfig):
    # Installed everywhere so that its commands exist (load_demo refuses to
    # run without DEBUG); it has no ready() hook, so start-up
    # imports nothing of it beyond this file. Its one model (DemoCalendar)
    # is written by load_demo only.
    name = "demo"
