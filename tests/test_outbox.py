"""E-mail leaves from the outbox through a real SMTP server on loopback (aiosmtpd): written with the step,
sent by the scheduler once, kept and retried while the server is down, never sent twice by two senders."""

import email
import email.policy
import socket
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from selection import apply, complete

from webapp import outbox
from webapp.engine import clock
from webapp.extensions import db
from webapp.models import OutboxMessage


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = _free_port()
MAIL = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": PORT, "MAIL_FROM": "noreply@gyxxh.tj.gov.cn"}


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=PORT)
    controller.start()
    yield inbox
    controller.stop()


def _returned(as_user):
    instance_id, _ = apply(as_user)
    complete(as_user("district-hexi"), instance_id, "district_review", {"decision": "return", "opinion": "补充案例"})
    return instance_id


def _pending(recipient):
    return OutboxMessage.query.filter_by(recipient=recipient, sent_at=None).all()


@pytest.mark.parametrize("app", [MAIL], indirect=True)
def test_the_applicant_receives_the_return_by_mail_exactly_once(app, as_user, smtp):
    _returned(as_user)
    with app.app_context():
        assert len(_pending("applicant1@example.cn")) == 1
        sent, failed = outbox.send_due()
        assert failed == 0 and sent >= 1
        assert outbox.send_due() == (0, 0)
    to_applicant = [body for rcpt, body in smtp.messages if rcpt == ["applicant1@example.cn"]]
    assert len(to_applicant) == 1
    mail = email.message_from_string(to_applicant[0], policy=email.policy.default)
    assert "退回补正" in mail["Subject"] and "补正" in mail.get_content()


@pytest.mark.parametrize("app", [MAIL], indirect=True)
def test_mail_waits_while_the_server_is_down_and_goes_once_it_is_back(app, as_user):
    _returned(as_user)
    with app.app_context():
        sent, failed = outbox.send_due()
        assert sent == 0 and failed >= 1
        [message] = _pending("applicant1@example.cn")
        assert message.attempts == 1 and "Connection" in message.last_error
        assert outbox.send_due() == (0, 0)  # not due again yet
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=PORT)
        controller.start()
        try:
            later = clock.now() + timedelta(minutes=5)
            sent, failed = outbox.send_due(as_of=later)
            assert failed == 0 and sent >= 1
            assert outbox.send_due(as_of=later + timedelta(hours=2)) == (0, 0)
        finally:
            controller.stop()
    assert [rcpt for rcpt, _ in inbox.messages].count(["applicant1@example.cn"]) == 1


@pytest.mark.parametrize("app", [MAIL], indirect=True)
def test_two_schedulers_sending_at_once_send_each_message_once(app, as_user, smtp):
    _returned(as_user)
    with app.app_context():
        waiting = OutboxMessage.query.filter_by(sent_at=None).count()
    assert waiting >= 3  # the two district officials' task, the applicant's return

    def sender():
        with app.app_context():
            outbox.send_due()
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recipients = [tuple(rcpt) for rcpt, _ in smtp.messages]
    assert len(recipients) == waiting and len(set(recipients)) == len(recipients)


def test_without_a_mail_server_nothing_is_written_for_mail(app, as_user):
    _returned(as_user)
    with app.app_context():
        assert OutboxMessage.query.count() == 0
