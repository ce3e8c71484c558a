"""Path converters for the numbers URLs carry. Django's `int` takes any run of digits, and a key past 64 bits
reaches the database (a 500 on a foreign-key lookup): these take only numbers that can name a row or a year."""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    """A primary key or version number: 1 to 18 digits, always below PostgreSQL's and SQLite's 64-bit limit."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class YearConverter(IdConverter):
    """A year: four digits (each view still checks the years it has)."""

    regex = "[0-9]{4}"


register_converter(IdConverter, "id")
register_converter(YearConverter, "year")
