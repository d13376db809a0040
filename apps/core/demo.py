"""The demo county is built by seeders that each app registers in AppConfig.ready()."""

_seeders = []


def register(order, seeder, activity=False):
    """``seeder(context, log)`` adds its app's demo rows; ``context`` is a dict seeders share.
    ``activity`` marks a year of work (plans, reports …) on top of the county and accounts."""
    _seeders.append((order, seeder, activity))
    _seeders.sort(key=lambda entry: entry[0])


def seed_all(log=print, activity=True):
    context = {}
    for _order, seeder, is_activity in _seeders:
        if activity or not is_activity:
            seeder(context, log=log)
    return context
