"""The demo county is built by seeders that each app registers in AppConfig.ready()."""

_seeders = []


def register(order, seeder):
    """``seeder(context)`` adds its app's demo rows; ``context`` is a dict seeders share."""
    _seeders.append((order, seeder))
    _seeders.sort(key=lambda pair: pair[0])


def seed_all(log=print):
    context = {}
    for _order, seeder in _seeders:
        seeder(context, log=log)
    return context
