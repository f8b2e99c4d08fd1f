from celery import shared_task

from contacts.services import heartbeat_record


@shared_task
def record_heartbeat(name: str = "worker") -> str:
    """Beat runs this every minute; /healthz reports how long ago it ran."""
    return heartbeat_record(name=name).last_seen_at.isoformat()
