"""Pagination for every API list, and keyset pagination for the raw-log lists.

A log list (visits, cases, households, referrals, ledger entries …) grows to hundreds of
thousands of rows at prefecture or province scale. Page numbers make every page pay for a COUNT
over the caller's whole area and for an OFFSET over the rows before it; ``KeysetPagination``
instead continues from the last row shown (``next``/``previous`` carry an opaque cursor) and
counts at most ``count_limit`` rows, so a page costs the same whatever the table's size.
"""

import base64
import binascii
import json
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


def _plain(value):
    """A cursor value the database takes as it is: text, or an integer that fits a bigint."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, str) and "\x00" not in value and len(value) <= 200


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def bounded_count(queryset, limit):
    """The number of rows, counted no further than ``limit + 1`` (one bounded query)."""
    return queryset.order_by()[: limit + 1].count()


class KeysetPagination(BasePagination):
    """``{"count", "count_exact", "next", "previous", "results"}``, continued by a cursor.

    The order is the list's own (``?ordering=`` or the model's default) with the primary key as
    the last tie-breaker; every ordering field must be a stored, non-null column. ``count`` is
    exact up to ``count_limit`` rows; past that it is ``count_limit`` and ``count_exact`` is
    false. ``?page=`` is not understood: clients follow ``next``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    count_limit = 1000
    cursor_query_param = "cursor"
    invalid_cursor_message = _("This page link is no longer valid; start from the first page.")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.ordering = self._ordering(queryset)
        position, self.reverse = self._decode(request.query_params.get(self.cursor_query_param))
        self.started = position is not None
        self.count = bounded_count(queryset, self.count_limit)
        ordering = [self._flip(name) for name in self.ordering] if self.reverse else self.ordering
        rows = queryset.order_by(*ordering)
        try:
            if position is not None:
                rows = rows.filter(self._after(ordering, position))
            rows = list(rows[: self.page_size + 1])
        except (DjangoValidationError, ValueError, TypeError):
            # A cursor edited by hand (a date that is no date …): nothing was read.
            raise NotFound(self.invalid_cursor_message) from None
        self.has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if self.reverse:
            rows.reverse()
        self.rows = rows
        return rows

    def get_paginated_response(self, data):
        return Response(
            {
                "count": min(self.count, self.count_limit),
                "count_exact": self.count <= self.count_limit,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "count_exact", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "count_exact": {"type": "boolean"},
                "next": link,
                "previous": link,
                "results": schema,
            },
        }

    def get_next_link(self):
        # Coming back from a later page (reverse), there always is a next page: that one.
        if not self.rows or not (self.has_more or self.reverse):
            return None
        return self._link(self.rows[-1], reverse=False)

    def get_previous_link(self):
        if not self.rows or not (self.has_more if self.reverse else self.started):
            return None
        return self._link(self.rows[0], reverse=True)

    def get_page_size(self, request):
        try:
            size = int(request.query_params[self.page_size_query_param])
        except (KeyError, ValueError):
            return self.page_size
        return min(max(size, 1), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(
                    _("The page's cursor, from a previous answer's next or previous.")
                ),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": str(_("Number of results to return per page.")),
                "schema": {"type": "integer"},
            },
        ]

    # --- the order and the cursor ---

    @staticmethod
    def _flip(name):
        return name[1:] if name.startswith("-") else f"-{name}"

    @staticmethod
    def _ordering(queryset):
        names = list(queryset.query.order_by or queryset.model._meta.ordering or [])
        names = [name for name in names if isinstance(name, str) and name.lstrip("-") != "?"]
        names = ["-pk" if name == "-id" else "pk" if name == "id" else name for name in names]
        if not any(name.lstrip("-") == "pk" for name in names):
            descending = bool(names) and names[-1].startswith("-")
            names.append("-pk" if descending else "pk")
        # Nothing after the primary key can change the order.
        return names[: [name.lstrip("-") for name in names].index("pk") + 1]

    def _after(self, ordering, position):
        """Rows strictly after ``position`` in ``ordering``: (a, b) after (x, y) is a > x, or
        a = x and b > y (each comparison in its own field's direction)."""
        clauses = []
        for index, name in enumerate(ordering):
            field = name.lstrip("-")
            lookup = f"{field}__lt" if name.startswith("-") else f"{field}__gt"
            equal = {prefix.lstrip("-"): position[i] for i, prefix in enumerate(ordering[:index])}
            clauses.append(Q(**equal, **{lookup: position[index]}))
        return reduce(or_, clauses)

    @staticmethod
    def _value(row, name):
        value = row
        for part in name.lstrip("-").split("__"):
            value = getattr(value, part)
        if value is None:
            raise ValueError(f"keyset ordering on a null value: {name}")
        if isinstance(value, int | str):
            return value
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    def _link(self, row, *, reverse):
        position = [self._value(row, name) for name in self.ordering]
        token = json.dumps({"p": position, "r": int(reverse)}, separators=(",", ":"))
        cursor = base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")
        url = remove_query_param(self.request.build_absolute_uri(), "page")
        return replace_query_param(url, self.cursor_query_param, cursor)

    def _decode(self, cursor):
        if not cursor:
            return None, False
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            token = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
            position, reverse = token["p"], bool(token["r"])
        except (binascii.Error, ValueError, TypeError, KeyError, UnicodeError):
            raise NotFound(self.invalid_cursor_message) from None
        if (
            not isinstance(position, list)
            or len(position) != len(self.ordering)
            or not all(_plain(value) for value in position)
        ):
            raise NotFound(self.invalid_cursor_message)
        return position, reverse
