"""The broker hands a dead worker's task to another worker soon after no run can still be alive:
its visibility timeout is just above the longest task time limit, not Redis's default hour."""

from federation.celery import app


def test_visibility_timeout_is_just_above_every_task_time_limit():
    app.loader.import_default_modules()
    ours = [task for name, task in app.tasks.items() if name.startswith("apps.")]
    visibility = app.conf.broker_transport_options["visibility_timeout"]

    assert ours
    longest = max(task.time_limit or app.conf.task_time_limit for task in ours)
    assert longest < visibility <= longest + 5 * 60
    # A retry waiting longer than that would be handed out again while it waits.
    for task in ours:
        if getattr(task, "autoretry_for", None):
            assert getattr(task, "retry_backoff_max", 600) < visibility, task.name
