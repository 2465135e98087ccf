"""Oscar's routes that take an id, rewritten with our converters: every route of ours takes
its ids through `<id:…>` (booker/converters.py), which answers 404 while resolving for a
number past the database's bigint. Oscar's own patterns stay where our forks do not serve the
view (booker.converters.HugeIdMiddleware covers them)."""

from __future__ import annotations

from django.urls import URLPattern, path


class ProductSlugConverter:
    r"""Oscar's product slug as its own pattern takes it (`[\w-]*`: unicode, may be empty), so
    that the product page's id can be an `<id:…>`. Registered by the catalogue fork's ready()."""

    regex = r"[\w-]*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def rerouted(urls: list, name: str, route: str) -> list:
    """`urls` with the pattern named `name` taking `route` instead of Oscar's: same view (as
    the app config decorated it), same name, same place in the list."""
    return [
        path(route, entry.callback, entry.default_args, name=name)
        if isinstance(entry, URLPattern) and entry.name == name
        else entry
        for entry in urls
    ]
