"""Sending the outbox (engine/notifications.py writes it): e-mail through SMTP, SMS through a pluggable
sender. A message is taken by one sender at a time — a lease written before sending, so two schedulers
never take the same row — marked sent once it went, and retried later (ever less often) when it failed:
a mail server that is down delays the mail, it does not lose it."""

import importlib
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import or_, select, update

from .engine import clock
from .extensions import db
from .models import OutboxMessage

LEASE = timedelta(minutes=5)  # longer than one send takes; a sender that died frees its row after it
RETRY_CAP = timedelta(hours=1)
_table = OutboxMessage.__table__


def _retry_after(attempts):
    return min(timedelta(minutes=2 ** min(attempts, 10)), RETRY_CAP)


def send_mail(message):
    config = current_app.config
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = config["MAIL_FROM"], message.recipient, message.subject
    # One id per outbox row: a receiver that gets a message twice (a sender killed after SMTP accepted it
    # and before it was marked sent) can tell it is the same.
    mail["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain=config["MAIL_FROM"].rpartition("@")[2])
    mail.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(mail)


def log_sms(mobile, text):
    """The default SMS sender: the text goes to the log (set SMS_SENDER to a gateway's sender)."""
    current_app.logger.info("SMS to %s: %s", mobile, text)


def _sms_sender():
    module, _, name = current_app.config["SMS_SENDER"].partition(":")
    return getattr(importlib.import_module(module), name)


def _send(message):
    if message.channel == "email":
        send_mail(message)
    else:
        _sms_sender()(message.recipient, f"【{message.subject}】{message.body}")


def _take(message_id, now):
    """Lease one due message; whether this sender got it."""
    taken = db.session.execute(
        update(_table).where(_table.c.id == message_id, _table.c.sent_at.is_(None),
                             or_(_table.c.leased_until.is_(None), _table.c.leased_until < now))
        .values(leased_until=now + LEASE))
    db.session.commit()
    return taken.rowcount == 1


def send_due(as_of=None, limit=200):
    """Send what is due (as of `as_of`, default now); (sent, failed). One failing message never stops
    the others."""
    now = as_of or clock.now()
    due = db.session.scalars(
        select(_table.c.id).where(_table.c.sent_at.is_(None), _table.c.next_attempt_at <= now,
                                  or_(_table.c.leased_until.is_(None), _table.c.leased_until < now))
        .order_by(_table.c.next_attempt_at, _table.c.id).limit(limit)).all()
    sent = failed = 0
    for message_id in due:
        if not _take(message_id, now):
            continue
        message = db.session.get(OutboxMessage, message_id)
        try:
            _send(message)
        except Exception as err:  # noqa: BLE001 - any failure of a server or gateway means: try again later
            message.attempts += 1
            message.last_error = f"{type(err).__name__}: {err}"[:2000]
            message.next_attempt_at = now + _retry_after(message.attempts)
            message.leased_until = None
            failed += 1
        else:
            message.attempts += 1
            message.sent_at, message.leased_until = max(now, clock.now()), None
            sent += 1
        db.session.commit()
    return sent, failed
