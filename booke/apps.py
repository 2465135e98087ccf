from django.apps import AppConfig


class BookeConfig(AppConfig):
    """The project itself: wiring only (settings, URLs, and commands that span every app)."""

    name = "booke"
    verbose_name = "Booké"
