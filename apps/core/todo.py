"""待办: the signed-in user's open work, most urgent first, for the API and every home page.

Each kind of to-do item is a ``TodoKind`` an app registers from its own ``todo.py`` (imported
in ``AppConfig.ready``): which roles it serves, the user's open items as ONE query, and, by
default through the deadline engine's kind of the same rows, their light, title and link. A new
module (coordination, supervision) adds its work to a role's list with one ``register()`` and no
change here.
"""

from collections import defaultdict
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet, Value
from django.db.models.query import ModelIterable
from django.utils import timezone

from apps.core import deadlines

# Red before yellow before green; within a colour the earliest due first.
LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2}


class TodoKind:
    """One kind of to-do item.

    - ``name``: the item's ``kind`` in the API; ``label``: what people read;
    - ``roles``: the roles whose list carries it;
    - ``deadline_kind``: the engine's kind that judges, names and links the rows (by name);
    - ``items(user)``: the user's open items, read in ONE query whatever the data size (a
      queryset carrying every field the judging reads, or a list built from one query). It joins
      only the rows its light, title and link read, not a page's ``with_details()``: every home
      page runs all her kinds, and a needless join costs planning time even when nothing is open.
      A plain queryset is best: it is asked for its ids together with the other kinds' (see
      ``open_items``), and read in full only when something is open.
    Override ``status_of``, ``title_of`` or ``url_of`` where the engine's kind says otherwise.
    """

    name = ""
    label = ""
    roles = frozenset()
    deadline_kind = ""

    def items(self, user):
        raise NotImplementedError

    @property
    def deadline(self):
        return deadlines.kind(self.deadline_kind)

    def status_of(self, item, now=None):
        return self.deadline.status_of(item, now)

    def title_of(self, item):
        return self.deadline.title_of(item)

    def url_of(self, item):
        return self.deadline.url_of(item)

    def applies_to(self, user):
        # By the roles she holds in her units: a superuser's list is that of her memberships,
        # not every role's at once.
        return user.is_authenticated and bool(self.roles & user.roles)


@dataclass(frozen=True)
class TodoItem:
    """One line of a to-do list."""

    kind: str
    kind_label: str
    id: int
    title: str
    due: date | datetime | None
    light: str
    light_reason: str
    light_reason_label: str
    url: str


_kinds = {}


def register(kind):
    """Register a TodoKind instance under its ``name`` (re-registering replaces it)."""
    _kinds[kind.name] = kind
    return kind


def kinds():
    return dict(_kinds)


def kinds_for(user):
    """The registered kinds on ``user``'s list (by her roles), in registration order."""
    return [kind for kind in _kinds.values() if kind.applies_to(user)]


def todo_for(user, now=None):
    """``user``'s open work as TodoItems, most urgent first: red, then yellow, then green,
    each by due date (earliest first). See ``open_items`` for the queries."""
    rows = []
    for kind, items in open_items(user):
        for item in items:
            status = kind.status_of(item, now)
            rows.append(
                TodoItem(
                    kind=kind.name,
                    kind_label=str(kind.label),
                    id=item.pk,
                    title=str(kind.title_of(item)),
                    due=status.due,
                    light=str(status.light),
                    light_reason=str(status.reason),
                    light_reason_label=str(status.reason_label),
                    url=kind.url_of(item),
                )
            )
    return sorted(rows, key=_urgency)


def open_items(user):
    """Each kind on ``user``'s list with its open items, in registration order.

    Every kind's query costs about as much to build, compile and plan as to run, and most
    kinds have nothing open for most people most of the time. So the kinds whose items are a
    plain queryset are asked together, ids only, in ONE query (UNION ALL); only those with
    something open load their rows, by id, with the kind's own joins and order. A list of n
    such kinds with k of them open costs 1 + k queries instead of n, whatever the rows; a kind
    that builds its items itself runs its own query as before."""
    kinds = kinds_for(user)
    built = {kind.name: kind.items(user) for kind in kinds}
    asked = {name: items for name, items in built.items() if _can_ask_together(items)}
    if len(asked) < 2:
        asked = {}  # asking one kind by ids would only add a query
    found = defaultdict(list)
    if asked:
        parts = [
            items.order_by().annotate(todo_kind=Value(name)).values_list("todo_kind", "pk")
            for name, items in asked.items()
        ]
        for name, pk in parts[0].union(*parts[1:], all=True):
            found[name].append(pk)
    for kind in kinds:
        items = built[kind.name]
        if kind.name not in asked:
            yield kind, items
        elif found[kind.name]:
            yield kind, _rows_by_id(items, found[kind.name])


def _can_ask_together(items):
    """A queryset of model instances whose rows need nothing but their own columns and joins:
    an annotation, an extra column, DISTINCT, a slice or a prefetch would be lost by id."""
    if not isinstance(items, QuerySet) or items._iterable_class is not ModelIterable:
        return False
    query = items.query
    return not (
        query.annotations
        or query.extra
        or query.distinct
        or query.is_sliced
        or items._prefetch_related_lookups
    )


def _rows_by_id(items, pks):
    """The rows ``pks`` of ``items`` with its joins, loaded columns and order."""
    query = items.query
    rows = items.model._base_manager.filter(pk__in=pks)
    rows.query.select_related = deepcopy(query.select_related)
    rows.query.deferred_loading = deepcopy(query.deferred_loading)
    if query.order_by:
        rows = rows.order_by(*query.order_by)
    elif not query.default_ordering:
        rows = rows.order_by()
    return rows


def _urgency(item):
    # The sort is stable: items due at the same moment keep their kind's own order (the
    # oldest report first, and so on).
    return (LIGHT_ORDER.get(item.light, len(LIGHT_ORDER)), _moment(item.due), item.kind)


def _moment(due):
    """Dates and datetimes on one line: a date counts from the start of its day; no date last."""
    if due is None:
        return datetime.max.replace(tzinfo=timezone.get_current_timezone())
    if isinstance(due, datetime):
        return due
    return timezone.make_aware(datetime.combine(due, time.min))


# --- cards beside the list ---------------------------------------------------------------------


@dataclass(frozen=True)
class TodoCard:
    """A figure a role's home shows above its to-do list (her score and rank …), linking to the
    page that explains it."""

    label: str
    value: str
    detail: str
    url: str


_cards = []


def register_card(roles, card):
    """Show ``card(user)`` (a TodoCard, or None when there is nothing to show; at most one
    query) on the home of users holding one of ``roles``."""
    _cards.append((frozenset(roles), card))
    return card


def cards_for(user):
    if not user.is_authenticated:
        return []
    cards = (card(user) for roles, card in _cards if roles & user.roles)
    return [card for card in cards if card is not None]


HOME_LIMIT = 20


def home_context(user, limit=HOME_LIMIT):
    """What a home page shows: the ``limit`` most urgent items, how many there are in all, and
    the role's cards (templates/includes/todo_list.html)."""
    items = todo_for(user)
    return {"todo": items[:limit], "todo_total": len(items), "todo_cards": cards_for(user)}
