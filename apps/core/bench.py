"""``manage.py bench``: DESIGN's data sets built in a database of their own, then measured.

The run creates a fresh database next to the configured one, migrates it, loads a seeded,
deterministic data set with COPY in batches (``bulk_create`` where the ids are needed back; a
progress line on stderr), measures, and drops the database (unless ``keep``). Pages are
measured twice: queries per page at a tenth of the logs and at the full scale (in process, by
the test client), and latency under gunicorn with a few concurrent clients, as a ratio to the
floor (``/healthz`` where it exists, else the sign-in page, which reads no rows).
"""

import gc
import importlib
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, reset_queries, transaction
from django.db.models import Count, Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, Resolver404, resolve
from django.utils import timezone

from apps.core.bulk import copy_objects
from apps.core.decimals import rounded
from federation.settings import servers


@dataclass(frozen=True)
class Scale:
    townships: int
    villages: int
    representatives: int
    households: int
    logs: int  # visits and cases in a year; one in ten is a case


SCALES = {
    # For the test suite: the same code path in seconds.
    "tiny": Scale(2, 4, 20, 200, 300),
    "county": Scale(25, 370, 6_500, 80_000, 130_000),
    "prefecture": Scale(130, 2_000, 25_000, 350_000, 550_000),
    "province": Scale(1_170, 17_441, 220_000, 3_000_000, 4_600_000),
}
BATCH = 5_000
OBJECTIVES_PER_PLAN = 20  # each county's plan, decomposed to every township and village
REPORT_CYCLES = ((3, 31), (6, 30), (9, 30))  # quarterly, the last one still open at times
SLICES = 10  # the logs load in tenths: queries are counted after the first and the last
PAGES = {
    "dashboard": "/api/v1/dashboard/",
    "case_list": "/api/v1/cases/",
    "household_list": "/api/v1/contacts/",
    "todo": "/api/v1/todo/",
}
LISTS = ("case_list", "household_list", "todo")


class Progress:
    def __init__(self, stream):
        self.stream = stream

    def __call__(self, label, done, total):
        self.stream.write(f"\r  {label}: {done:,}/{total:,}   ")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


# --- the database of its own ----------------------------------------------------------------


class BenchDatabase:
    """Creates ``<name>_bench_<pid>``, points the default connection at it, and back."""

    def __init__(self):
        self.original = dict(connections["default"].settings_dict)
        self.name = f"{self.original['NAME']}_bench_{os.getpid()}"

    def create(self):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            cursor.execute(f'CREATE DATABASE "{self.name}"')
        self._point_at(self.name)

    def restore(self, drop=True):
        self._point_at(self.original["NAME"])
        if drop:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def url(self):
        return servers.database_url(self.original, name=self.name)

    @staticmethod
    def _point_at(name):
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = name
        settings.DATABASES["default"]["NAME"] = name


# --- the data set ---------------------------------------------------------------------------


def _batched(model, rows, total, label, progress):
    """Unsaved ``rows`` of ``model`` in COPYs of BATCH, with a progress line after each."""
    batch, done = [], 0
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            done += copy_objects(model, batch)
            progress(label, done, total)
            batch = []
    if batch or not done:
        done += copy_objects(model, batch)
        progress(label, done, total)


def _units(kind, parents, count, code_width, name):
    from apps.organizations.models import OrgUnit

    rows = []
    for index in range(count):
        parent = parents[index % len(parents)]
        code = f"{parent.code}{index:0{code_width}d}"
        path = f"{parent.path}{code}/"
        rows.append(OrgUnit(name=f"{name}{index}", code=code, kind=kind, parent=parent, path=path))
    OrgUnit.objects.bulk_create(rows, batch_size=BATCH)
    return list(OrgUnit.objects.filter(kind=kind).order_by("path"))


def year_period():
    """This year's period (the dashboard's, the plans' and the schemes'), made on first use."""
    from apps.organizations.models import Period

    year = timezone.localdate().year
    period, _created = Period.objects.get_or_create(
        name=f"{year}年度",
        defaults={
            "kind": Period.Kind.YEAR,
            "start_date": date(year, 1, 1),
            "end_date": date(year, 12, 31),
        },
    )
    return period


def load_tree(scale_name, scale):
    """The root (a county, a prefecture, or a province over prefectures), counties of about 25
    townships each, townships, villages, one department under the root, and this year's
    period (the dashboard's)."""
    from apps.organizations.models import OrgUnit

    year_period()

    Kind = OrgUnit.Kind
    counties = max(1, round(scale.townships / 25))
    if scale_name in ("tiny", "county"):
        root = OrgUnit.objects.create(name="基准县", code="9", kind=Kind.COUNTY)
        county_units = [root]
    elif scale_name == "prefecture":
        root = OrgUnit.objects.create(name="基准市", code="9", kind=Kind.PREFECTURE)
        county_units = _units(Kind.COUNTY, [root], counties, 2, "县")
    else:
        root = OrgUnit.objects.create(name="基准省", code="9", kind=Kind.PROVINCE)
        prefectures = _units(Kind.PREFECTURE, [root], max(1, counties // 10), 2, "市")
        county_units = _units(Kind.COUNTY, prefectures, counties, 3, "县")
    townships = _units(Kind.TOWNSHIP, county_units, scale.townships, 4, "镇")
    villages = _units(Kind.VILLAGE, townships, scale.villages, 5, "村")
    OrgUnit.objects.create(name="民政局", code="9D", kind=Kind.DEPARTMENT, parent=root)
    return root, county_units, townships, villages


def load_people(scale, villages, progress):
    from apps.accounts.models import Membership, User
    from apps.core.roles import Role
    from apps.liaison.models import Representative

    count = scale.representatives
    _batched(
        User,
        (User(username=f"rep{n}", password="!", full_name=f"代表{n}") for n in range(count)),
        count,
        "users",
        progress,
    )
    users = list(User.objects.filter(username__startswith="rep").order_by("pk"))
    _batched(
        Membership,
        (
            Membership(user=user, unit=villages[n % len(villages)], role=Role.VILLAGE_REP)
            for n, user in enumerate(users)
        ),
        count,
        "memberships",
        progress,
    )
    _batched(
        Representative,
        (
            Representative(
                unit=villages[n % len(villages)],
                user=user,
                number=f"B{n}",
                full_name=user.full_name,
                sector="farmer",
                term_start=date(2024, 1, 1),
                term_end=date(2028, 12, 31),
            )
            for n, user in enumerate(users)
        ),
        count,
        "representatives",
        progress,
    )
    return list(Representative.objects.order_by("pk").only("pk", "unit_id"))


def load_households(scale, reps, progress, rng):
    from apps.liaison.models import Contact

    risks = ["green"] * 85 + ["yellow"] * 10 + ["orange"] * 4 + ["red"]
    _batched(
        Contact,
        (
            Contact(
                unit_id=reps[n % len(reps)].unit_id,
                representative_id=reps[n % len(reps)].pk,
                name=f"住户{n}",
                risk=rng.choice(risks),
            )
            for n in range(scale.households)
        ),
        scale.households,
        "households",
        progress,
    )
    return list(Contact.objects.order_by("pk").values_list("pk", "representative_id"))


def load_logs(count, start, contacts, reps_by_pk, progress, rng):
    """``count`` visits over the past year, one in ten also opening a case: the last month's
    cases still open, the older ones answered, resolved and closed, as a federation's are (an
    open year of cases would make every night's reminder sweep the size of the whole log)."""
    from apps.liaison.models import Case, Visit

    today = date(2026, 6, 30)
    still_open = today - timedelta(days=30)
    visits, cases = [], []
    for n in range(start, start + count):
        contact_id, rep_id = contacts[n % len(contacts)]
        unit_id = reps_by_pk[rep_id]
        visited_on = today - timedelta(days=rng.randrange(365))
        visits.append(
            Visit(
                unit_id=unit_id,
                representative_id=rep_id,
                visited_on=visited_on,
                mode="home",
                summary="入户走访",
            )
        )
        if n % 10 == 0:
            opened = timezone.make_aware(
                timezone.datetime.combine(visited_on, timezone.datetime.min.time())
            )
            case = Case(
                unit_id=unit_id,
                representative_id=rep_id,
                contact_id=contact_id,
                category="hardship",
                description="生活困难",
                opened_at=opened,
                state_deadline=opened + timedelta(days=7),
                respond_by=opened + timedelta(days=3),
            )
            if visited_on < still_open:
                case.state = Case.State.CLOSED
                case.first_response_at = opened + timedelta(days=1)
                case.resolved_at = opened + timedelta(days=5)
                case.closed_at = case.state_deadline = opened + timedelta(days=8)
            cases.append(case)
    _batched(Visit, iter(visits), len(visits), "visits", progress)
    _batched(Case, iter(cases), len(cases), "cases", progress)


def load_plans(counties, townships, villages, admin, progress, rng):
    """Each county's 目标责任书 for the year: OBJECTIVES_PER_PLAN quantitative objectives split
    to its townships and on to their villages (weights and targets shared out exactly), and
    the quarterly progress reports of every leaf, approved, one in twenty filed late."""
    from apps.objectives.models import Objective, ObjectivePlan, ProgressReport
    from apps.objectives.services.planning import share_out

    period = year_period()
    year = period.start_date.year
    published = timezone.make_aware(datetime(year, 1, 15, 9))
    plans = ObjectivePlan.objects.bulk_create(
        ObjectivePlan(
            period=period,
            unit=county,
            title=f"{county.name}妇联目标管理责任书",
            status=ObjectivePlan.Status.PUBLISHED,
            published_at=published,
        )
        for county in counties
    )
    townships_of, villages_of = defaultdict(list), defaultdict(list)
    for township in townships:
        townships_of[township.parent_id].append(township)
    for village in villages:
        villages_of[village.parent_id].append(village)
    categories = list(Objective.Category.values)

    def objective(plan, title, category, parent, unit, weight, target):
        return Objective(
            plan=plan,
            parent=parent,
            depth=0 if parent is None else parent.depth + 1,
            category=category,
            title=title,
            kind=Objective.Kind.QUANTITATIVE,
            measure_unit="人次",
            target=target,
            additive=True,
            weight=weight,
            due_date=date(year, 12, 31),
            assignee_unit=unit,
            published_at=published,
        )

    def split(parents, units_of, label):
        rows = []
        for parent in parents:
            units = units_of[parent.assignee_unit_id]
            weights = share_out(parent.weight, [1] * len(units))
            targets = share_out(parent.target, [1] * len(units), step=Decimal(1))
            rows += [
                objective(
                    parent.plan,
                    parent.title,
                    parent.category,
                    parent,
                    unit,
                    weight,
                    target,
                )
                for unit, weight, target in zip(units, weights, targets, strict=True)
            ]
        created = []
        for start in range(0, len(rows), BATCH):
            created += Objective.objects.bulk_create(rows[start : start + BATCH])
            progress(label, len(created), len(rows))
        return created

    weight = Decimal(100) / OBJECTIVES_PER_PLAN
    roots = Objective.objects.bulk_create(
        objective(
            plan,
            f"目标{number + 1}",
            categories[number % len(categories)],
            None,
            plan.unit,
            weight,
            Decimal(1_000 * (number + 1)),
        )
        for plan in plans
        for number in range(OBJECTIVES_PER_PLAN)
    )
    township_parts = split(roots, townships_of, "objectives to townships")
    village_parts = split(township_parts, villages_of, "objectives to villages")
    with_villages = {part.parent_id for part in village_parts}
    leaves = village_parts + [part for part in township_parts if part.pk not in with_villages]

    cycles = [date(year, month, day) for month, day in REPORT_CYCLES]
    cycles = [cycle for cycle in cycles if cycle < timezone.localdate()] or cycles[:1]

    def reports():
        for leaf in leaves:
            pace = Decimal(rng.randint(55, 120)) / 100
            for number, cycle in enumerate(cycles, start=1):
                completion = (pace * number / 4).quantize(Decimal("0.0001"))
                yield ProgressReport(
                    objective=leaf,
                    cycle_end=cycle,
                    value=(leaf.target * completion).quantize(Decimal("0.01")),
                    completion=completion,
                    narrative="按计划推进。",
                    status=ProgressReport.Status.APPROVED,
                    is_late=rng.random() < 0.05,
                    submitted_by=admin,
                    submitted_at=timezone.make_aware(datetime.combine(cycle, datetime.min.time())),
                    reviewed_by=admin,
                    reviewed_at=timezone.make_aware(datetime.combine(cycle, datetime.min.time())),
                )

    total = len(leaves) * len(cycles)
    _batched(ProgressReport, reports(), total, "progress reports", progress)
    return plans


def load_schemes(admin):
    """The root's assessment schemes for the year, as the demo county writes them: its
    townships (objective scores and supervision figures) and its 执委 (their own liaison
    records)."""
    from apps.assessment import demo

    period = year_period()
    return [demo.township_scheme(admin, period), demo.person_scheme(admin, period)]


def make_admin(root):
    from rest_framework.authtoken.models import Token

    from apps.accounts.models import Membership, User
    from apps.core.roles import Role

    admin = User.objects.create_user("bench_admin", password=None, full_name="基准管理员")
    Membership.objects.create(user=admin, unit=root, role=Role.COUNTY_ADMIN)
    return admin, Token.objects.create(user=admin).key


# --- measuring ------------------------------------------------------------------------------


def floor_path():
    try:
        resolve("/healthz")
        return "/healthz"
    except (Resolver404, NoReverseMatch):
        return "/accounts/login/"


def count_queries(token):
    """Queries per page, in process (the same code as under gunicorn)."""
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    counts = {}
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for name, path in PAGES.items():
            # Under DEBUG the nightly jobs leave the query log at its limit, where a capture's
            # length no longer grows: count from an empty log.
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            counts[name] = len(captured)
    return counts


def time_dashboard(token, reads=20):
    """The dashboard in process (debug off), median ms of ``reads``: cold, building its kept
    panels (rollups and ranking) as the first read after a refresh or a scoring run does, and
    warm, with them kept, as every read after it until the next. Under gunicorn the pages are
    measured warm."""
    from apps.dashboards.services import rollups_changed

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    path = PAGES["dashboard"]
    cold, warm = [], []

    def timed():
        started = time.perf_counter()
        if client.get(path).status_code != 200:
            raise RuntimeError(f"{path} failed")
        return (time.perf_counter() - started) * 1000

    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        timed()
        for _ in range(reads):
            rollups_changed()
            cold.append(timed())
            warm.append(timed())
    return statistics.median(cold), statistics.median(warm)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentiles(samples):
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def measure_latency(database_url, token, requests, clients=4, rounds=50):
    """p50/p95 in ms of the floor and each page under gunicorn (2 workers, ``clients``
    concurrent clients, ``requests`` requests to each page in up to ``rounds`` rounds of at
    least two requests a client, the floor sampled before each page and at the end of each
    round)."""
    port = _free_port()
    # Measured as deployed: debug off (it keeps every query in memory), whatever the settings.
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "federation.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    def get(path):
        request = urllib.request.Request(
            base + path, headers={"Authorization": f"Token {token}", "Host": "localhost"}
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
        return (time.perf_counter() - started) * 1000

    try:
        floor = floor_path()
        deadline = time.monotonic() + 60
        while True:
            try:
                get(floor)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        samples = {name: [] for name in ("floor", *PAGES)}
        rounds = max(1, min(rounds, requests // (2 * clients)))
        burst = max(1, requests // rounds)

        def sample(name, path, count=burst):
            with ThreadPoolExecutor(clients) as pool:
                taken = list(pool.map(get, [path] * count))
            if name:
                samples[name] += taken

        for path in (floor, *PAGES.values()):
            sample(None, path, 2 * clients)  # every worker has served it once
        # Each page is sampled in rounds spread over the whole measurement, and the floor
        # beside it in every round, so that both meet the same conditions. Taken in one burst
        # of 200 requests, a page's p95 (its 10th slowest) moved with whatever the machine did
        # in those few seconds: the same household list at 6.6x the floor in one run and 10.4x
        # in the next. In 10 rounds of 100, a few slow seconds of a shared machine still fell
        # on one page's burst (a case list at 10.5x in a run where the others were under 8x);
        # in 50 rounds of 20 they fall on the floor and every page alike.
        for _ in range(rounds):
            for name, path in PAGES.items():
                sample("floor", floor)
                sample(name, path)
            sample("floor", floor)
        return {name: _percentiles(taken) for name, taken in samples.items()}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _timed(job):
    started = time.perf_counter()
    rows = job()
    return time.perf_counter() - started, rows


class Workers:
    """The nightly fan-out as the Celery workers run it: each unit of work is the body of the
    app's own task (``"apps.objectives.tasks.score_plan"`` and its ids), run in one of
    ``processes`` forked worker processes, each with its own database connection, as many as
    the machine has cores (a worker host's default concurrency)."""

    def __init__(self, processes=None):
        self.processes = processes or os.cpu_count() or 1

    def run(self, task, calls):
        """Run ``task`` once per argument tuple in ``calls``; returns what each returned."""
        return self.run_all((task, args) for args in calls)

    def run_all(self, calls):
        """Run each ``(task, args)`` of ``calls``, in that order as processes come free, as a
        worker takes tasks queued together; returns what each returned."""
        calls = list(calls)
        if self.processes == 1 or len(calls) < 2:
            return [_run_task(task, args) for task, args in calls]
        # A forked child must not share the parent's connection: each opens its own.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        with context.Pool(min(self.processes, len(calls))) as pool:
            return pool.starmap(_run_task, calls, chunksize=1)


def _run_task(task, args):
    module, name = task.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)(*args)


def _score_objectives(workers):
    from apps.objectives import services as objectives
    from apps.objectives.models import ObjectivePlan

    plan_ids = list(objectives.plans_to_score())
    workers.run("apps.objectives.tasks.score_plan", [(pk,) for pk in plan_ids])
    return ObjectivePlan.objects.filter(pk__in=plan_ids).aggregate(objectives=Count("objectives"))[
        "objectives"
    ]


def _score_assessment(workers):
    """Each scheme's current round: a small scheme as one task, a large one in parts (one task
    per unit under its owner), all of them queued together and shared by the workers, as
    ``score_open_schemes`` queues them; then each scheme scored in parts is ranked once, as
    the chord's last task does."""
    from apps.assessment import services as assessment
    from apps.assessment.models import AssessmentScheme

    wholes, parts, ranked = [], [], []
    for scheme in AssessmentScheme.objects.filter(pk__in=list(assessment.schemes_to_score())):
        round_ = assessment.current_round(scheme)
        if not round_:
            continue
        units = assessment.scoring_parts(scheme)
        if units:
            parts += [(scheme.pk, round_, unit_id) for unit_id in units]
            ranked.append((scheme.pk, round_))
        else:
            wholes.append((scheme.pk, round_))
    written = workers.run_all(
        [("apps.assessment.tasks.score_scheme", args) for args in wholes]
        + [("apps.assessment.tasks.score_scheme_part", args) for args in parts]
    )
    workers.run("apps.assessment.tasks.rank_round", ranked)
    return sum(written)


def _refresh_rollups(workers):
    from apps.dashboards import services as dashboards

    return dashboards.refresh_rollups()


def _send_reminders(workers):
    """Every hourly sweep once, unit by unit as the apps' ``send_reminders`` tasks fan them out
    (a new sweep is added there and here)."""
    from apps.coordination import services as coordination
    from apps.liaison.services import reminders as liaison
    from apps.objectives.services import reminders as objectives
    from apps.supervision import services as supervision

    sweeps = {
        "apps.objectives.tasks.send_plan_reminders": objectives.plans_to_remind(),
        "apps.liaison.tasks.send_township_reminders": liaison.townships_to_remind(),
        "apps.coordination.tasks.send_department_reminders": coordination.departments_to_remind(),
        "apps.supervision.tasks.send_unit_reminders": supervision.reminder_units(),
    }
    return sum(sum(workers.run(task, [(pk,) for pk in units])) for task, units in sweeps.items())


NIGHTLY_JOBS = {
    # name: (job, what its rows are)
    "objective_scoring": (_score_objectives, "objectives scored"),
    "assessment_scoring": (_score_assessment, "results written"),
    "rollups": (_refresh_rollups, "rollup rows written"),
    "reminders": (_send_reminders, "notifications sent"),
}


def run_nightly(workers, names=tuple(NIGHTLY_JOBS)):
    """The jobs ``names`` of the night, in order, each fanned out over ``workers``:
    ``{name: (seconds, rows)}``."""
    return {name: _timed(lambda name=name: NIGHTLY_JOBS[name][0](workers)) for name in names}


# What the pages read of the night: the scores, results and rollups (not the reminders, which
# the timed night would then find already sent).
PAGES_READ = ("objective_scoring", "assessment_scoring", "rollups")


# --- set-based scoring against a loop over rows -------------------------------------------------


def score_plan_row_by_row(plan):
    """``objectives.services.score_plan`` written the naive way, a query or a save per row:
    the yardstick the set-based statements are measured against. It writes the same numbers
    (rounded as PostgreSQL rounds), so the two can be compared on the same data."""
    from apps.objectives.models import InnovationItem, ProgressReport, UnitScore
    from apps.objectives.services.scoring import RATIO_STEP, SCORED_UNIT_KINDS, grade_of
    from apps.organizations.models import OrgUnit

    now = timezone.now()
    with transaction.atomic():
        objectives = list(plan.objectives.select_related("assignee_unit").order_by("-depth"))
        for objective in objectives:
            parts = list(objective.children.all())
            if not parts:
                latest = (
                    objective.reports.filter(status=ProgressReport.Status.APPROVED)
                    .order_by("-cycle_end")
                    .first()
                )
                late = objective.reports.filter(is_late=True).count()
                weight = objective.weight
                objective.completion = latest.completion if latest else None
                deductions = min(weight, weight * late * plan.late_report_deduction)
                capped = min(objective.completion or Decimal(0), plan.completion_cap)
                objective.deductions = rounded(deductions)
                objective.points = rounded(max(Decimal(0), weight * capped - deductions))
            else:
                weights = sum(part.weight for part in parts)
                objective.points = sum(part.points for part in parts)
                objective.deductions = sum(part.deductions for part in parts)
                objective.completion = rounded(
                    sum(part.weight * (part.completion or 0) for part in parts) / weights,
                    RATIO_STEP,
                )
            objective.save(update_fields=["completion", "deductions", "points"])
        totals = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
        for objective in plan.objectives.select_related("assignee_unit"):
            if objective.assignee_person_id is None and (
                objective.assignee_unit.kind not in SCORED_UNIT_KINDS
                or objective.assignee_unit_id == plan.unit_id
            ):
                continue
            row = totals[(objective.assignee_unit_id, objective.assignee_person_id)]
            row[0] += objective.weight
            row[1] += objective.points or 0
            row[2] += objective.deductions
        for (unit_id, person_id), (assigned, earned, deducted) in totals.items():
            awarded = plan.innovation_items.filter(
                status=InnovationItem.Status.AWARDED, unit=unit_id, person=person_id
            ).aggregate(total=Sum("awarded_points"))["total"]
            innovation = min(Decimal(awarded or 0), plan.innovation_cap)
            score = (earned / assigned * 100 + innovation).quantize(Decimal("0.01"))
            level = (
                UnitScore.Level.PERSON
                if person_id
                else SCORED_UNIT_KINDS[OrgUnit.objects.get(pk=unit_id).kind]
            )
            UnitScore.objects.update_or_create(
                plan=plan,
                unit_id=unit_id,
                person_id=person_id,
                defaults={
                    "level": level,
                    "assigned_points": assigned,
                    "objective_points": earned.quantize(Decimal("0.01")),
                    "innovation_points": innovation,
                    "deduction_points": deducted,
                    "score": score,
                    "grade": grade_of(plan, score),
                    "computed_at": now,
                },
            )
        by_level = defaultdict(list)
        for row in plan.scores.all():
            by_level[row.level].append(row)
        for rows in by_level.values():
            rows.sort(key=lambda row: -row.score)
            for position, row in enumerate(rows, start=1):
                before = rows[position - 2] if position > 1 else None
                row.rank = before.rank if before and before.score == row.score else position
                if not row.frozen:
                    row.save(update_fields=["rank"])


def compare_scoring(plan):
    """One plan scored row by row, then set-based: the seconds of each, the plan's size and
    the largest difference between the scores the two wrote."""
    from apps.objectives.services.scoring import score_plan

    per_row_s, _rows = _timed(lambda: score_plan_row_by_row(plan))
    per_row = dict(plan.scores.values_list("unit", "score"))
    set_based_s, _done = _timed(lambda: score_plan(plan))
    set_based = dict(plan.scores.values_list("unit", "score"))
    difference = max(
        (abs(per_row.get(unit, 0) - score) for unit, score in set_based.items()), default=0
    )
    return {
        "objectives": plan.objectives.count(),
        "scores": len(set_based),
        "per_row_s": round(per_row_s, 3),
        "set_based_s": round(set_based_s, 3),
        "largest_difference": float(difference),
    }


# --- the run --------------------------------------------------------------------------------


def run(scale_name, *, keep=False, seed=13, requests=None, stderr=sys.stderr):
    """Build, measure, drop; returns the figures (the JSON line's keys)."""
    scale = SCALES[scale_name]
    progress = Progress(stderr)
    rng = random.Random(seed)
    database = BenchDatabase()
    database.create()
    try:
        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        root, counties, townships, villages = load_tree(scale_name, scale)
        reps = load_people(scale, villages, progress)
        contacts = load_households(scale, reps, progress, rng)
        reps_by_pk = {rep.pk: rep.unit_id for rep in reps}
        admin, token = make_admin(root)
        plans = load_plans(counties, townships, villages, admin, progress, rng)
        load_schemes(admin)
        tenth = scale.logs // SLICES
        load_logs(tenth, 0, contacts, reps_by_pk, progress, rng)
        load_s = time.perf_counter() - started
        # Pages are counted as a morning finds them, after a night, at a tenth and in full.
        workers = Workers()
        run_nightly(workers, PAGES_READ)
        queries_tenth = count_queries(token)
        started = time.perf_counter()
        load_logs(scale.logs - tenth, tenth, contacts, reps_by_pk, progress, rng)
        load_s += time.perf_counter() - started
        # The loader's lists (hundreds of thousands of rows at a prefecture) would otherwise
        # stay alive and make every garbage collection in the nightly jobs walk them: a worker
        # running those jobs holds nothing of the kind.
        del reps, contacts, reps_by_pk
        gc.collect()
        # The steady state autovacuum keeps a live database in (visibility map, statistics), not
        # the minutes after a bulk load, when every first read also rewrites the pages.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        # The night runs first, so the dashboard is measured on its rollups.
        nightly = run_nightly(workers)
        # The night rewrote hundreds of thousands of rows (results, breakdown lines, notices):
        # autovacuum analyzes them within the minute; the pages are measured on fresh
        # statistics, as a morning's would be.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        compared = compare_scoring(plans[0])
        queries_full = count_queries(token)
        dashboard_cold_ms, dashboard_warm_ms = time_dashboard(token)
        latency = measure_latency(
            database.url(), token, requests or (40 if scale_name == "tiny" else 1000)
        )
    finally:
        database.restore(drop=not keep)
    floor_p50, floor_p95 = latency["floor"]
    ratios = {name: latency[name][1] / floor_p95 for name in PAGES}
    scoring_s = nightly["objective_scoring"][0] + nightly["assessment_scoring"][0]
    return {
        "scale": scale_name,
        "database": database.name,
        "kept": keep,
        "load_s": round(load_s, 2),
        "floor_path": floor_path(),
        "floor_p50_ms": round(floor_p50, 2),
        "floor_p95_ms": round(floor_p95, 2),
        "pages": {
            name: {
                "p50_ms": round(latency[name][0], 2),
                "p95_ms": round(latency[name][1], 2),
                "p95_ratio": round(ratios[name], 2),
                "queries_tenth": queries_tenth[name],
                "queries": queries_full[name],
            }
            for name in PAGES
        },
        "dashboard_p95_ratio": round(ratios["dashboard"], 2),
        "dashboard_cold_ms": round(dashboard_cold_ms, 2),
        "dashboard_warm_ms": round(dashboard_warm_ms, 2),
        "list_p95_ratio": round(max(ratios[name] for name in LISTS), 2),
        "queries_equal": queries_tenth == queries_full,
        "scoring_s": round(scoring_s, 3),
        "scoring_speedup": round(compared["per_row_s"] / compared["set_based_s"], 1),
        "scoring_compared": compared,
        "nightly_s": round(sum(seconds for seconds, _rows in nightly.values()), 3),
        "nightly_workers": workers.processes,
        "nightly": {
            name: {
                "s": round(seconds, 3),
                "rows": rows,
                "rows_per_s": round(rows / seconds) if seconds else None,
            }
            for name, (seconds, rows) in nightly.items()
        },
    }


def table(figures):
    """The figures for a person: one line per page, then the totals."""
    lines = [
        f"bench --scale {figures['scale']}  (database {figures['database']}"
        f"{', kept' if figures['kept'] else ', dropped'})",
        f"load {figures['load_s']} s; floor {figures['floor_path']} p50 "
        f"{figures['floor_p50_ms']} ms, p95 {figures['floor_p95_ms']} ms",
        f"{'page':<16}{'p50 ms':>10}{'p95 ms':>10}{'p95/floor':>11}{'queries 1/10':>14}"
        f"{'queries':>9}",
    ]
    for name, page in figures["pages"].items():
        lines.append(
            f"{name:<16}{page['p50_ms']:>10}{page['p95_ms']:>10}{page['p95_ratio']:>11}"
            f"{page['queries_tenth']:>14}{page['queries']:>9}"
        )
    lines.append(f"queries equal at a tenth and in full: {figures['queries_equal']}")
    lines.append(
        f"dashboard in process: {figures['dashboard_cold_ms']} ms building its kept panels "
        f"(the first read after a change), {figures['dashboard_warm_ms']} ms with them kept"
    )
    lines.append(
        f"{'nightly job':<20}{'s':>10}{'rows':>12}{'rows/s':>10}"
        f"   ({figures['nightly_workers']} worker processes)"
    )
    for name, job in figures["nightly"].items():
        lines.append(f"{name:<20}{job['s']:>10}{job['rows']:>12}{job['rows_per_s'] or '-':>10}")
    compared = figures["scoring_compared"]
    lines.append(
        f"nightly {figures['nightly_s']} s (scoring {figures['scoring_s']} s); one plan of "
        f"{compared['objectives']:,} objectives scored row by row {compared['per_row_s']} s, "
        f"set-based {compared['set_based_s']} s: {figures['scoring_speedup']}x "
        f"(largest score difference {compared['largest_difference']})"
    )
    return "\n".join(lines)


def json_line(figures):
    return json.dumps(figures, ensure_ascii=False, separators=(",", ":"))
