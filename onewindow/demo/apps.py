from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Zhangjiagang demo data (load_demo). Sits on top: it may use every app's services."""

    name = "onewindow.demo"
    label = "demo"
    verbose_name = "Demo"
