"""URL path converters: a segment that names a database key matches only what such a key can be,
so a NUL, a slash trick or a word never reaches a lookup (it is a 404 before any query)."""

from django.urls import register_converter

DIVISION_CODE = "[0-9]{2,12}"


class DivisionCodeConverter:
    """An administrative division's statistical code: 2 to 12 digits."""

    regex = DIVISION_CODE

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(DivisionCodeConverter, "division")
