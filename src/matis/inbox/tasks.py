"""Background job of the inbox (django_tasks): the same work as ``matis manage send_digests``."""

from django_tasks import task

from matis.inbox.services import inbox_mails_send


@task()
def send_inbox_mails() -> dict:
    """Send the day's digests and the immediate mails; returns the counts per kind."""
    runs = inbox_mails_send()
    return {kind: vars(run) for kind, run in runs.items()}
