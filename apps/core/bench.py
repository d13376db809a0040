"""``manage.py bench``: DESIGN's data sets built in a database of their own, then measured.

The run creates a fresh database next to the configured one, migrates it, loads a seeded,
deterministic data set with ``bulk_create`` in batches (a progress line on stderr), measures,
and drops the database (unless ``keep``). Pages are measured twice: queries per page at a tenth
of the logs and at the full scale (in process, by the test client), and latency under gunicorn
with a few concurrent clients, as a ratio to the floor (``/healthz`` where it exists, else the
sign-in page, which reads no rows).
"""

import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, Resolver404, resolve
from django.utils import timezone


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
SLICES = 10  # the logs load in tenths: queries are counted after the first and the last
PAGES = {
    "dashboard": "/api/v1/dashboard/",
    "case_list": "/api/v1/cases/",
    "household_list": "/api/v1/contacts/",
    "todo": "/api/v1/todo/",
}


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
        user = quote(self.original.get("USER") or "")
        password = quote(self.original.get("PASSWORD") or "")
        auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
        host = self.original.get("HOST") or "localhost"
        port = self.original.get("PORT") or 5432
        return f"postgres://{auth}{host}:{port}/{self.name}"

    @staticmethod
    def _point_at(name):
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = name
        settings.DATABASES["default"]["NAME"] = name


# --- the data set ---------------------------------------------------------------------------


def _batched(model, rows, total, label, progress):
    batch, done = [], 0
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_create(batch)
            done += len(batch)
            progress(label, done, total)
            batch = []
    if batch or not done:
        model.objects.bulk_create(batch)
        done += len(batch)
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


def load_tree(scale_name, scale):
    """The root (a county, a prefecture, or a province over prefectures), counties of about 25
    townships each, townships, villages, one department under the root, and this year's
    period (the dashboard's)."""
    from apps.organizations.models import OrgUnit, Period

    year = timezone.localdate().year
    Period.objects.get_or_create(
        name=f"{year}年度",
        defaults={
            "kind": Period.Kind.YEAR,
            "start_date": date(year, 1, 1),
            "end_date": date(year, 12, 31),
        },
    )

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
    return root, villages


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
    """``count`` visits over the past year, one in ten also opening a case."""
    from apps.liaison.models import Case, Visit

    today = date(2026, 6, 30)
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
            cases.append(
                Case(
                    unit_id=unit_id,
                    representative_id=rep_id,
                    contact_id=contact_id,
                    category="hardship",
                    description="生活困难",
                    opened_at=opened,
                    state_deadline=opened + timedelta(days=7),
                    respond_by=opened + timedelta(days=3),
                )
            )
    _batched(Visit, iter(visits), len(visits), "visits", progress)
    _batched(Case, iter(cases), len(cases), "cases", progress)


def make_admin(root):
    from rest_framework.authtoken.models import Token

    from apps.accounts.models import Membership, User
    from apps.core.roles import Role

    admin = User.objects.create_user("bench_admin", password=None, full_name="基准管理员")
    Membership.objects.create(user=admin, unit=root, role=Role.COUNTY_ADMIN)
    return Token.objects.create(user=admin).key


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
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            counts[name] = len(captured)
    return counts


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentiles(samples):
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def measure_latency(database_url, token, requests, clients=4):
    """p50/p95 in ms of the floor and each page under gunicorn (2 workers, ``clients``
    concurrent clients, ``requests`` requests each)."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
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
        results = {}
        for name, path in {"floor": floor, **PAGES}.items():
            get(path)  # warm the workers
            with ThreadPoolExecutor(clients) as pool:
                samples = list(pool.map(get, [path] * requests))
            results[name] = _percentiles(samples)
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_nightly():
    """The jobs the night runs, inline: objective and assessment scoring, the dashboards'
    rollups and every reminder sweep."""
    from apps.assessment import services as assessment
    from apps.assessment.models import AssessmentScheme
    from apps.dashboards import services as dashboards
    from apps.liaison.services import reminders as liaison_reminders
    from apps.objectives import services as objectives
    from apps.objectives.models import ObjectivePlan
    from apps.organizations.models import OrgUnit

    started = time.perf_counter()
    for plan_id in objectives.plans_to_score():
        objectives.score_plan(ObjectivePlan.objects.get(pk=plan_id))
    for scheme_id in assessment.schemes_to_score():
        scheme = AssessmentScheme.objects.get(pk=scheme_id)
        round_ = assessment.current_round(scheme)
        if round_:
            assessment.score_scheme(scheme, round_)
    scoring = time.perf_counter() - started
    dashboards.refresh_rollups()
    for township_id in liaison_reminders.townships_to_remind():
        liaison_reminders.send_township_reminders(OrgUnit.objects.get(pk=township_id))
    return scoring, time.perf_counter() - started


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
        root, villages = load_tree(scale_name, scale)
        reps = load_people(scale, villages, progress)
        contacts = load_households(scale, reps, progress, rng)
        reps_by_pk = {rep.pk: rep.unit_id for rep in reps}
        token = make_admin(root)
        tenth = scale.logs // SLICES
        load_logs(tenth, 0, contacts, reps_by_pk, progress, rng)
        load_s = time.perf_counter() - started
        queries_tenth = count_queries(token)
        started = time.perf_counter()
        load_logs(scale.logs - tenth, tenth, contacts, reps_by_pk, progress, rng)
        load_s += time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        # The night runs first, so the dashboard is measured on its rollups.
        scoring_s, nightly_s = run_nightly()
        queries_full = count_queries(token)
        latency = measure_latency(
            database.url(), token, requests or (40 if scale_name == "tiny" else 200)
        )
    finally:
        database.restore(drop=not keep)
    floor_p50, floor_p95 = latency["floor"]
    ratios = {name: latency[name][1] / floor_p95 for name in PAGES}
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
        "list_p95_ratio": round(max(ratios["case_list"], ratios["household_list"]), 2),
        "queries_equal": queries_tenth == queries_full,
        "scoring_s": round(scoring_s, 3),
        "nightly_s": round(nightly_s, 3),
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
    lines.append(
        f"queries equal at a tenth and in full: {figures['queries_equal']}; "
        f"nightly {figures['nightly_s']} s (scoring {figures['scoring_s']} s)"
    )
    return "\n".join(lines)


def json_line(figures):
    return json.dumps(figures, ensure_ascii=False, separators=(",", ":"))
