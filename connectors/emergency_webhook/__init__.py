"""Emergency Management Bureau connector: the duty-office system's webhook, incident
reports to ``emergency.incident-report`` and task assignments to
``emergency.task-assignment``."""

from connectors.emergency_webhook.connector import EmergencyWebhookConnector

__all__ = ["EmergencyWebhookConnector"]
