"""The database tables. Every query the inbox, case page and public pages make runs on these
rows; only the engine deserializes workflows."""

from datetime import UTC, datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import JSON, DateTime, Index, LargeBinary, TypeDecorator, UniqueConstraint, event
from sqlalchemy.orm import deferred
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db


def utcnow():
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC and always hands back an aware datetime, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Organization(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False)
    credit_code = db.Column(db.String(18), nullable=False, unique=True)
    district = db.Column(db.String(20), nullable=False)
    contact_name = db.Column(db.String(50))
    contact_phone = db.Column(db.String(30))
    contact_email = db.Column(db.String(120))
    created_at = db.Column(UTCDateTime, default=utcnow, nullable=False)


class User(UserMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), nullable=False, unique=True)
    password_hash = db.Column(db.String(255), nullable=False)
    display_name = db.Column(db.String(100), nullable=False)
    # owner | city | expert | district | applicant | sysadmin | secadmin | auditor (三员, webapp/security/roles.py)
    role = db.Column(db.String(20), nullable=False)
    district = db.Column(db.String(20))
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
    active = db.Column(db.Boolean, default=True, nullable=False)
    created_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    email = db.Column(db.String(120))
    mobile = db.Column(db.String(30))
    # Where notifications go besides the bell (站内信 always): e-mail, SMS; the person chooses.
    channels = db.Column(JSON, nullable=False, default=lambda: ["email"], server_default='["email"]')
    language = db.Column(db.String(8), nullable=False, default="zh", server_default="zh")
    # 专家库: an expert's unit, fields and declared relations (credit codes), for 回避 and the random draw.
    unit = db.Column(db.String(200))
    expertise = db.Column(JSON)
    related_codes = db.Column(JSON)
    # When the password was last set through the policy and whether a reset set it (change at next login):
    # read on every page, so kept here rather than looked up in the password history.
    password_changed_at = db.Column(UTCDateTime)
    password_temporary = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())

    organization = db.relationship(Organization)

    def set_password(self, password):
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


class ProcessDefinition(db.Model):
    """One deployed version of a process: its sources, and its parsed spec stored once."""

    # The same content may come back as a new version (a restore); a version is found by key and number.
    __table_args__ = (UniqueConstraint("key", "version"),
                      Index("ix_process_definition_key_hash", "key", "content_hash"))
    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(80), nullable=False, index=True)
    version = db.Column(db.Integer, nullable=False)
    name = db.Column(db.String(200), nullable=False)
    bpmn_xml = deferred(db.Column(db.Text, nullable=False))
    dmn_xml = db.Column(JSON, nullable=False, default=list)
    content_hash = db.Column(db.String(64), nullable=False)
    spec = deferred(db.Column(JSON, nullable=False))  # large: loaded only by the engine, cached per version
    # The rest of the rule package (engine/package.py): read only when a version's rules are needed.
    forms = deferred(db.Column(JSON, nullable=False, default=dict))  # {form key: YAML text}
    lists = deferred(db.Column(JSON, nullable=False, default=dict))  # {list name: YAML text}
    parameters = deferred(db.Column(db.Text))  # the rule parameters (YAML)
    scenarios = deferred(db.Column(db.Text))  # the scenarios its deployment passed (YAML)
    approved_by = db.Column(db.String(80))  # the second person who approved the change (four eyes)
    needs_round = db.Column(db.Boolean, default=False, nullable=False)
    note = db.Column(db.Text)
    deployed_by = db.Column(db.String(80))
    deployed_at = db.Column(UTCDateTime, default=utcnow, nullable=False)


class PackageDraft(db.Model):
    """The next version of a process's rule package as its owner edits it in the workspace: kept in the
    database (any app server sees the same), never read by a case, deployed or discarded as a whole."""

    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(80), nullable=False, unique=True)
    base_version = db.Column(db.Integer)  # the version the draft started from
    content = db.Column(JSON, nullable=False)  # {bpmn: [name, text], dmns: [[name, text]], forms, lists, ...}
    updated_by = db.Column(db.String(80))
    updated_at = db.Column(UTCDateTime, default=utcnow, nullable=False)


class RuleChange(db.Model):
    """A rule package waiting for a second person (four eyes): submitted by a process owner, deployed only
    when a city official approves it in its `rule_change` case, or returned with an opinion."""

    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(80), nullable=False, index=True)
    base_version = db.Column(db.Integer)  # the version in force when it was submitted
    content = deferred(db.Column(JSON, nullable=False))  # the whole package, as drafts.py keeps one
    note = db.Column(db.Text)
    reason = db.Column(db.Text)
    confirm_policy_change = db.Column(db.Boolean, nullable=False, default=False)
    author = db.Column(db.String(80), nullable=False)
    status = db.Column(db.String(20), nullable=False, default="pending", index=True)  # pending|approved|returned
    instance_id = db.Column(db.Integer, db.ForeignKey("process_instance.id"))
    version = db.Column(db.Integer)  # the version it became
    created_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    decided_by = db.Column(db.String(80))
    decided_at = db.Column(UTCDateTime)
    opinion = db.Column(db.Text)


class Round(db.Model):
    """An annual call (申报通知) that a process needs to be open before cases start."""

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(80), nullable=False, index=True)
    year = db.Column(db.Integer, nullable=False)
    title = db.Column(db.String(200), nullable=False)
    opens_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    closes_at = db.Column(UTCDateTime, nullable=False)
    created_by = db.Column(db.String(80))
    created_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    body = db.Column(db.Text)  # the call's text (申报通知), shown on the public home page
    attachment_ids = db.Column(JSON, nullable=False, default=list, server_default="[]")  # templates to download
    closed_early_at = db.Column(UTCDateTime)  # the city closed it before closes_at

    def is_open(self, now=None):
        now = now or utcnow()
        return self.closed_early_at is None and self.opens_at <= now < self.closes_at


class ProcessInstance(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    definition_id = db.Column(db.Integer, db.ForeignKey("process_definition.id"), nullable=False)
    process_key = db.Column(db.String(80), nullable=False, index=True)
    status = db.Column(db.String(20), nullable=False, default="running", index=True)
    subject = db.Column(db.String(200))
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"), index=True)
    district = db.Column(db.String(20), index=True)
    round_id = db.Column(db.Integer, db.ForeignKey("round.id"))
    state = deferred(db.Column(JSON))  # the serialized workflow: lists never load it
    serializer_version = db.Column(db.String(20))
    revision = db.Column(db.Integer, nullable=False, default=0)
    data = db.Column(JSON, nullable=False, default=dict)
    completed_ids = db.Column(JSON, nullable=False, default=list)
    active_ids = db.Column(JSON, nullable=False, default=list)
    outcome = db.Column(db.String(40))
    outcome_reason = db.Column(db.Text)
    error = db.Column(db.Text)
    started_by = db.Column(db.String(80))
    started_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    ended_at = db.Column(UTCDateTime)

    definition = db.relationship(ProcessDefinition)
    round = db.relationship(Round)
    __mapper_args__ = {"version_id_col": revision}


class HumanTask(db.Model):
    """A READY or finished user task, so inboxes are plain queries."""

    __table_args__ = (
        # The inbox: open tasks of a role (and district), by due date.
        Index("ix_human_task_inbox", "role", "district", "due_at", "id",
              postgresql_where=db.text("state = 'open'"), sqlite_where=db.text("state = 'open'")),
        # A city-wide inbox (no district): a role's open tasks already in due-date order, so a page
        # reads 50 index entries instead of sorting every open task of the role.
        Index("ix_human_task_role_due", "role", "due_at", "id",
              postgresql_where=db.text("state = 'open'"), sqlite_where=db.text("state = 'open'")),
        # An expert's inbox: the tasks assigned to them, by due date.
        Index("ix_human_task_assignee_due", "assignee", "due_at", "id",
              postgresql_where=db.text("state = 'open'"), sqlite_where=db.text("state = 'open'")),
        # The oversight dashboard's 当前超期: open tasks past their limit, the oldest first, with their case.
        Index("ix_human_task_open_due", "due_at", "id", "instance_id",
              postgresql_where=db.text("state = 'open'"), sqlite_where=db.text("state = 'open'")),
    )

    id = db.Column(db.Integer, primary_key=True)
    instance_id = db.Column(db.Integer, db.ForeignKey("process_instance.id"), nullable=False, index=True)
    task_guid = db.Column(db.String(36), nullable=False, unique=True)
    element_id = db.Column(db.String(120), nullable=False)
    name = db.Column(db.String(200))
    lane = db.Column(db.String(100))
    role = db.Column(db.String(20), nullable=False)  # role, district, state: found through the partial indexes
    form_key = db.Column(db.String(80))
    district = db.Column(db.String(20))
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
    assignee = db.Column(db.String(80), index=True)
    claimed_by = db.Column(db.String(80))
    state = db.Column(db.String(20), nullable=False, default="open")  # open | completed | cancelled
    due_at = db.Column(UTCDateTime)
    created_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    completed_by = db.Column(db.String(80), index=True)
    completed_at = db.Column(UTCDateTime)
    data = db.Column(JSON)
    delegated_by = db.Column(db.String(80))  # 委派: who delegated it and gets it back filled in
    reminded_at = db.Column(UTCDateTime)  # told its time limit ends within a day
    escalated_at = db.Column(UTCDateTime)  # told it is overdue (and the city told too)
    opened_at = db.Column(UTCDateTime)  # first opened by one who may do it: the step before can no longer be taken back

    instance = db.relationship(ProcessInstance)


class Timer(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    instance_id = db.Column(db.Integer, db.ForeignKey("process_instance.id"), nullable=False, index=True)
    task_guid = db.Column(db.String(36), nullable=False)
    element_id = db.Column(db.String(120), nullable=False)
    name = db.Column(db.String(200))
    due_at = db.Column(UTCDateTime, nullable=False, index=True)
    fired_at = db.Column(UTCDateTime)


# A round's own audit entries (webapp/rounds.py), found by their subject through a partial index: no other
# entry pays for it. A query uses the index when it names the same condition (text(ROUND_EVENTS)).
ROUND_EVENTS = "action IN ('round_open', 'round_change', 'round_close')"


class AuditEvent(db.Model):
    """Append-only: nothing updates or deletes these rows."""

    __table_args__ = (Index("ix_audit_event_round", "element_id", postgresql_where=db.text(ROUND_EVENTS),
                            sqlite_where=db.text(ROUND_EVENTS)),)

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(UTCDateTime, default=utcnow, nullable=False, index=True)
    actor = db.Column(db.String(80))
    action = db.Column(db.String(40), nullable=False)
    instance_id = db.Column(db.Integer, index=True)
    element_id = db.Column(db.String(120))
    name = db.Column(db.String(200))
    data = db.Column(JSON)
    source_ip = db.Column(db.String(45))  # security events: where the request came from
    result = db.Column(db.String(20))  # security events: success | failure | refused


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_audit_change(mapper, connection, target):
    raise ValueError("audit events are append-only")


class Attachment(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    filename = db.Column(db.String(255), nullable=False)
    content_type = db.Column(db.String(100), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    content = deferred(db.Column(LargeBinary, nullable=False))  # read only when the file is downloaded
    uploaded_by = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    instance_id = db.Column(db.Integer, db.ForeignKey("process_instance.id"), index=True)
    created_at = db.Column(UTCDateTime, default=utcnow, nullable=False)


class Notice(db.Model):
    """A public notice (公示) or announcement (公告)."""

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(40), nullable=False)
    title = db.Column(db.String(200), nullable=False)
    subject = db.Column(db.String(200))
    body = db.Column(db.Text)
    instance_id = db.Column(db.Integer, db.ForeignKey("process_instance.id"), index=True)
    starts_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    ends_at = db.Column(UTCDateTime)
    closed_at = db.Column(UTCDateTime)
    # A round's list (拟入库名单): one notice naming several units (NoticeEntry), no single case.
    round_id = db.Column(db.Integer, db.ForeignKey("round.id"), index=True)
    details = db.Column(JSON)  # the template's fields at publication: office, address, phones, issuer
    published_by = db.Column(db.String(80))

    instance = db.relationship(ProcessInstance)
    entries = db.relationship("NoticeEntry", back_populates="notice", order_by="NoticeEntry.id")

    @property
    def subjects(self):
        """Every organisation the notice names: a round's list names several, a case's notice one."""
        return [e.name for e in self.entries] if self.entries else [self.subject] if self.subject else []

    def is_open(self, now=None):
        now = now or utcnow()
        return self.closed_at is None and self.starts_at <= now and (self.ends_at is None or now < self.ends_at)


class NoticeEntry(db.Model):
    """A unit on a round's list (拟入库名单): put there by its case when the city lists it, waiting
    (notice_id empty) until the city publishes the round's list as one notice."""

    id = db.Column(db.Integer, primary_key=True)
    round_id = db.Column(db.Integer, db.ForeignKey("round.id"), nullable=False, index=True)
    instance_id = db.Column(db.Integer, db.ForeignKey("process_instance.id"), nullable=False, unique=True)
    notice_id = db.Column(db.Integer, db.ForeignKey("notice.id"), index=True)
    name = db.Column(db.String(200), nullable=False)
    credit_code = db.Column(db.String(18), nullable=False)
    district = db.Column(db.String(20), nullable=False)
    categories = db.Column(JSON, nullable=False, default=list)
    period = db.Column(db.String(20))  # "P7D", or working days as "7WD" (the diagram's parameter)
    template = db.Column(db.String(80), nullable=False)  # the list of the case's package holding the text
    message = db.Column(db.String(80), nullable=False)  # what the case waits for: the list's publication
    created_at = db.Column(UTCDateTime, default=utcnow, nullable=False)

    notice = db.relationship(Notice, back_populates="entries")
    instance = db.relationship(ProcessInstance)


class Objection(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    notice_id = db.Column(db.Integer, db.ForeignKey("notice.id"), nullable=False, index=True)
    # The case it concerns (on a round's list: the unit the objector named); only that case waits for it.
    instance_id = db.Column(db.Integer, db.ForeignKey("process_instance.id"), index=True)
    receipt = db.Column(db.String(20), unique=True)  # 受理编号: the objector follows it by this
    name = db.Column(db.String(50), nullable=False)
    contact = db.Column(db.String(100), nullable=False)
    content = db.Column(db.Text, nullable=False)
    source_ip = db.Column(db.String(45))
    decision = db.Column(db.String(20))
    opinion = db.Column(db.Text)
    created_at = db.Column(UTCDateTime, default=utcnow, nullable=False, index=True)
    decided_at = db.Column(UTCDateTime)

    notice = db.relationship(Notice)


class PoolEntry(db.Model):
    """A provider in the resource pool; removal marks it, never deletes it."""

    __table_args__ = (
        # The public list: active entries, newest first (read backwards), a page at a time.
        Index("ix_pool_entry_active", "admitted_at", "id",
              postgresql_where=db.text("removed_at IS NULL"), sqlite_where=db.text("removed_at IS NULL")),
    )

    id = db.Column(db.Integer, primary_key=True)
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False, index=True)
    instance_id = db.Column(db.Integer, db.ForeignKey("process_instance.id"))
    name = db.Column(db.String(200), nullable=False)
    credit_code = db.Column(db.String(18), nullable=False)
    categories = db.Column(JSON, nullable=False, default=list)
    district = db.Column(db.String(20), nullable=False)
    grade = db.Column(db.String(20))
    grade_year = db.Column(db.Integer)
    admitted_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    removed_at = db.Column(UTCDateTime)
    removal_ground = db.Column(db.String(40))


class RoundDocument(db.Model):
    """A document a district submits for a round, e.g. the stamped 推荐信息汇总表 (Art. 6 (二))."""

    id = db.Column(db.Integer, primary_key=True)
    round_id = db.Column(db.Integer, db.ForeignKey("round.id"), nullable=False, index=True)
    district = db.Column(db.String(20), nullable=False, index=True)
    attachment_id = db.Column(db.Integer, db.ForeignKey("attachment.id"), nullable=False)
    uploaded_by = db.Column(db.String(80), nullable=False)
    uploaded_at = db.Column(UTCDateTime, default=utcnow, nullable=False)

    round = db.relationship(Round)


class Complaint(db.Model):
    """A complaint against a provider in the pool (Art. 8 (四)); its case belongs to the complainant."""

    id = db.Column(db.Integer, primary_key=True)
    instance_id = db.Column(db.Integer, db.ForeignKey("process_instance.id"), index=True)
    complainant_org_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False, index=True)
    provider_org_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False, index=True)
    # The pool membership complained about: a provider removed and admitted again starts a fresh count.
    pool_entry_id = db.Column(db.Integer, db.ForeignKey("pool_entry.id"), nullable=False, index=True)
    receipt = db.Column(db.String(20), unique=True)  # 受理编号 (engine/receipts.py): the complainant follows it by this
    content = db.Column(db.Text, nullable=False)
    attachment_ids = db.Column(JSON, nullable=False, default=list)
    status = db.Column(db.String(20), nullable=False, default="pending", index=True)  # pending | verified | unfounded
    started_removal = db.Column(db.Boolean, nullable=False, default=False)  # its verification started the removal
    decision = db.Column(db.String(20))
    reason = db.Column(db.Text)
    filed_by = db.Column(db.String(80))
    decided_by = db.Column(db.String(80))
    created_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    decided_at = db.Column(UTCDateTime)


class Center(db.Model):
    """A municipal promotion center (市级促进中心, Art. 13 (四)), led by one organisation."""

    id = db.Column(db.Integer, primary_key=True)
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False, index=True)
    instance_id = db.Column(db.Integer, db.ForeignKey("process_instance.id"))
    name = db.Column(db.String(200), nullable=False)
    lead_name = db.Column(db.String(200), nullable=False)
    credit_code = db.Column(db.String(18), nullable=False)
    district = db.Column(db.String(20), nullable=False, index=True)
    build_mode = db.Column(db.String(20), nullable=False)  # single | consortium (forms/lists/center_build_modes)
    members = db.Column(JSON, nullable=False, default=list)
    industries = db.Column(db.String(500))
    status = db.Column(db.String(20), nullable=False, default="active", index=True)
    confirmed_at = db.Column(UTCDateTime, default=utcnow, nullable=False)

    assessments = db.relationship("CenterAssessment", back_populates="center",
                                  order_by=lambda: [CenterAssessment.year.desc(), CenterAssessment.id.desc()])

    @property
    def latest_assessment(self):
        return self.assessments[0] if self.assessments else None


class CenterAssessment(db.Model):
    """One accepted self-assessment of a center for a year: its indicators as the form named them."""

    id = db.Column(db.Integer, primary_key=True)
    center_id = db.Column(db.Integer, db.ForeignKey("center.id"), nullable=False, index=True)
    instance_id = db.Column(db.Integer, db.ForeignKey("process_instance.id"))
    year = db.Column(db.Integer, nullable=False)
    indicators = db.Column(JSON, nullable=False, default=list)  # [{name, label, label_en, value}]
    report = db.Column(JSON, nullable=False, default=dict)  # the whole accepted submission
    opinion = db.Column(db.Text)
    accepted_by = db.Column(db.String(80))
    accepted_at = db.Column(UTCDateTime, default=utcnow, nullable=False)

    center = db.relationship(Center, back_populates="assessments")


class Notification(db.Model):
    """站内信: one message to one person; the bell counts the unread ones."""

    __table_args__ = (Index("ix_notification_user_unread", "username", "id",
                            postgresql_where=db.text("read_at IS NULL"), sqlite_where=db.text("read_at IS NULL")),)

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), nullable=False, index=True)
    at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    kind = db.Column(db.String(30), nullable=False)
    title = db.Column(db.String(200), nullable=False)
    body = db.Column(db.Text, nullable=False)
    instance_id = db.Column(db.Integer)
    task_id = db.Column(db.Integer)
    read_at = db.Column(UTCDateTime)


class OutboxMessage(db.Model):
    """An e-mail or SMS written with the step that caused it and sent by the scheduler: a row is taken by
    one sender at a time (lease) and marked sent once, so nothing is lost or sent twice."""

    __table_args__ = (Index("ix_outbox_message_due", "next_attempt_at", "id",
                            postgresql_where=db.text("sent_at IS NULL"), sqlite_where=db.text("sent_at IS NULL")),)

    id = db.Column(db.Integer, primary_key=True)
    channel = db.Column(db.String(10), nullable=False)  # email | sms
    recipient = db.Column(db.String(120), nullable=False)
    subject = db.Column(db.String(200), nullable=False)
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    next_attempt_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    leased_until = db.Column(UTCDateTime)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    last_error = db.Column(db.Text)
    sent_at = db.Column(UTCDateTime)


class CarbonCopy(db.Model):
    """抄送: a read-only copy of a case sent to an official, who may then read it (抄送我的)."""

    __table_args__ = (UniqueConstraint("instance_id", "username", "task_id"),)

    id = db.Column(db.Integer, primary_key=True)
    instance_id = db.Column(db.Integer, db.ForeignKey("process_instance.id"), nullable=False, index=True)
    task_id = db.Column(db.Integer, db.ForeignKey("human_task.id"), nullable=False)
    username = db.Column(db.String(80), nullable=False, index=True)
    sent_by = db.Column(db.String(80), nullable=False)
    comment = db.Column(db.Text)
    at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    read_at = db.Column(UTCDateTime)

    instance = db.relationship(ProcessInstance)
    task = db.relationship(HumanTask)


class TaskDraft(db.Model):
    """暂存: what the holder of an open task has typed so far, theirs alone, restored when they return."""

    __table_args__ = (UniqueConstraint("task_id", "username"),)

    id = db.Column(db.Integer, primary_key=True)
    task_id = db.Column(db.Integer, db.ForeignKey("human_task.id"), nullable=False)
    username = db.Column(db.String(80), nullable=False)
    data = db.Column(JSON, nullable=False)
    saved_at = db.Column(UTCDateTime, default=utcnow, nullable=False)


class OversightCount(db.Model):
    """The oversight dashboard's counts (engine/oversight.py) as of its last refresh, summed over the cases
    of one version, round, year and district: a few thousand rows however many cases there are, so the
    dashboard reads the same at any size. `measure` says what is counted under `key`:
    status (cases by status; hits: admitted to the pool), stage (running cases waiting at element `key`),
    outcome (ended cases by outcome), category (applications by main category; hits: admitted),
    ontime (tasks of step `key` with a time limit, completed or overdue; hits: completed within it),
    overdue (open tasks of step `key` past their time limit at the refresh)."""

    __table_args__ = (Index("ix_oversight_count_process", "process_key", "measure"),)

    id = db.Column(db.Integer, primary_key=True)
    measure = db.Column(db.String(20), nullable=False)
    definition_id = db.Column(db.Integer, nullable=False)
    process_key = db.Column(db.String(80), nullable=False)
    version = db.Column(db.Integer, nullable=False)
    round_id = db.Column(db.Integer)
    year = db.Column(db.Integer)
    district = db.Column(db.String(20))
    key = db.Column(db.String(120))
    cases = db.Column(db.Integer, nullable=False)
    hits = db.Column(db.Integer, nullable=False, default=0)


class OversightTime(db.Model):
    """How long each step of a version took (created to completed, seconds): the count, median and 90th
    percentile over the completed tasks of one filter. Percentiles do not add up, so each filter the
    dashboard offers has its own row: round_id, year and district each NULL for "all"."""

    __table_args__ = (Index("ix_oversight_time_definition", "definition_id", "round_id", "year", "district"),)

    id = db.Column(db.Integer, primary_key=True)
    definition_id = db.Column(db.Integer, nullable=False)
    element_id = db.Column(db.String(120), nullable=False)
    round_id = db.Column(db.Integer)
    year = db.Column(db.Integer)
    district = db.Column(db.String(20))
    tasks = db.Column(db.Integer, nullable=False)
    median_s = db.Column(db.Float, nullable=False)
    p90_s = db.Column(db.Float, nullable=False)


class OversightRefresh(db.Model):
    """When the oversight figures were last computed, and what that cost (one row)."""

    id = db.Column(db.Integer, primary_key=True)
    computed_at = db.Column(UTCDateTime, nullable=False)
    seconds = db.Column(db.Float, nullable=False)
    cases = db.Column(db.Integer, nullable=False)
