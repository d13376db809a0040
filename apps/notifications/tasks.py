from celery import shared_task

from apps.notifications import services


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def deliver_email(notification_id):
    return services.deliver_email(notification_id)


@shared_task
def deliver_undelivered_emails():
    for notification_id in services.undelivered_email_ids():
        deliver_email.delay(notification_id)


@shared_task
def deliver_robot_message(message_id):
    return services.deliver_robot_message(message_id)


@shared_task
def deliver_undelivered_robot_messages():
    for message_id in services.undelivered_robot_message_ids():
        deliver_robot_message.delay(message_id)
