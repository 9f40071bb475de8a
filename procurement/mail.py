"""Development mail: each message is one INFO record of the `procurement.mail` logger.

Django's console backend prints to stdout, which the Celery worker re-logs as WARNING lines: a
developer reading the log of `make run` took every notification for a problem.
"""

import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("procurement.mail")


class LogEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            logger.info("Mail to %s: %s\n%s", ", ".join(message.recipients()), message.subject, message.body.rstrip())
        return len(email_messages)
