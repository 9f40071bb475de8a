"""The audit log in words: each entry as a sentence, its record named and linked, what changed as a
before/after list with labels and formatted values, and the time with its zone.

Presentation only (the entries themselves stay as they are hashed). The record an entry names is
looked up by its model label (`tenders.tender`) through the app registry, one query per model for a
whole page; the kernel imports no app.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What each action says, with the actor and the record as %(actor)s and %(object)s.
SENTENCES = {
    "account.sign_up": gettext_lazy("%(actor)s created an account"),
    "account.log_in": gettext_lazy("%(actor)s signed in"),
    "account.password_change": gettext_lazy("%(actor)s changed their password"),
    "account.mfa_added": gettext_lazy("%(actor)s set up a second factor"),
    "tender.create": gettext_lazy("%(actor)s drafted %(object)s"),
    "tender.update": gettext_lazy("%(actor)s edited the draft %(object)s"),
    "tender.document_add": gettext_lazy("%(actor)s attached a document to %(object)s"),
    "tender.document_remove": gettext_lazy("%(actor)s removed a document from %(object)s"),
    "tender.invitations_set": gettext_lazy("%(actor)s chose the invited suppliers of %(object)s"),
    "tender.custodians_set": gettext_lazy("%(actor)s named the key custodians of %(object)s"),
    "tender.reserve_prices_sealed": gettext_lazy("%(actor)s sealed the reserve prices of %(object)s"),
    "tender.submit_for_approval": gettext_lazy("%(actor)s asked for approval of %(object)s"),
    "tender.return_to_draft": gettext_lazy("%(actor)s returned %(object)s to its author"),
    "tender.publish": gettext_lazy("%(actor)s published %(object)s"),
    "tender.amend": gettext_lazy("%(actor)s amended %(object)s"),
    "tender.postpone_outage": gettext_lazy("%(actor)s postponed the deadline of %(object)s after an outage"),
    "health.degraded": gettext_lazy("%(actor)s recorded that the portal is degraded (%(object)s)"),
    "health.recovered": gettext_lazy("%(actor)s recorded the end of a degradation (%(object)s)"),
    "health.outage": gettext_lazy("%(actor)s recorded an outage (%(object)s)"),
    "tender.clarification_ask": gettext_lazy("%(actor)s asked a question (%(object)s)"),
    "tender.clarification_answer": gettext_lazy("%(actor)s answered a question (%(object)s)"),
    "tender.closed": gettext_lazy("%(actor)s closed %(object)s for bids"),
    "tender.key_share_release": gettext_lazy("%(actor)s released a key share for %(object)s"),
    "tender.opening_quorum_late": gettext_lazy("%(actor)s reported that %(object)s still lacks key shares"),
    "tender.opened": gettext_lazy("%(actor)s recorded the opening of %(object)s"),
    "tender.evaluated": gettext_lazy("%(actor)s recorded the evaluation of %(object)s"),
    "tender.awarded": gettext_lazy("%(actor)s recorded the final award of %(object)s"),
    "tender.contracted": gettext_lazy("%(actor)s recorded the contract of %(object)s"),
    "tender.cancel": gettext_lazy("%(actor)s cancelled %(object)s"),
    "tender.mark_unsuccessful": gettext_lazy("%(actor)s declared %(object)s unsuccessful"),
    "tender.retender": gettext_lazy("%(actor)s re-tendered as %(object)s"),
    "tender.subscription_update": gettext_lazy("%(actor)s changed the tender alerts of %(object)s"),
    "bid.submit": gettext_lazy("%(actor)s submitted the sealed %(object)s"),
    "bid.replace": gettext_lazy("%(actor)s replaced the sealed %(object)s"),
    "bid.withdraw": gettext_lazy("%(actor)s withdrew %(object)s"),
    "bid.open_all": gettext_lazy("%(actor)s opened the bids (%(object)s)"),
    "bid.open_technical": gettext_lazy("%(actor)s opened the technical envelopes (%(object)s)"),
    "bid.technical_assess": gettext_lazy("%(actor)s decided the technical compliance of %(object)s"),
    "bid.technical_publish": gettext_lazy("%(actor)s published the technical results (%(object)s)"),
    "bid.technical_complaint": gettext_lazy("%(actor)s complained about the technical results (%(object)s)"),
    "bid.technical_complaint_decide": gettext_lazy(
        "%(actor)s answered a complaint on the technical results (%(object)s)"
    ),
    "bid.open_prices": gettext_lazy("%(actor)s opened the price envelopes of the compliant bids (%(object)s)"),
    "bid.cure_request": gettext_lazy("%(actor)s asked for a document correction of %(object)s"),
    "bid.cure_submit": gettext_lazy("%(actor)s supplied a corrected document for %(object)s"),
    "bid.cure_lapse": gettext_lazy("%(actor)s: the correction window of %(object)s passed without the document"),
    "bid.qualified": gettext_lazy("%(actor)s qualified %(object)s"),
    "bid.disqualified": gettext_lazy("%(actor)s disqualified %(object)s"),
    "bid.not_awarded": gettext_lazy("%(actor)s marked %(object)s as not awarded"),
    "bid.awarded": gettext_lazy("%(actor)s marked %(object)s as awarded"),
    "evaluation.start": gettext_lazy("%(actor)s started %(object)s"),
    "evaluation.review": gettext_lazy("%(actor)s reviewed a bid (%(object)s)"),
    "evaluation.calculate": gettext_lazy("%(actor)s calculated the committee's ranking (%(object)s)"),
    "evaluation.technical_calculate": gettext_lazy(
        "%(actor)s turned the committee's technical scores into compliance decisions (%(object)s)"
    ),
    "evaluation.complete": gettext_lazy("%(actor)s completed %(object)s"),
    "evaluation.reopen": gettext_lazy("%(actor)s reopened %(object)s"),
    "committee.appoint": gettext_lazy("%(actor)s appointed a committee member (%(object)s)"),
    "committee.remove": gettext_lazy("%(actor)s removed a committee member (%(object)s)"),
    "committee.declare": gettext_lazy("%(actor)s declared conflicts of interest (%(object)s)"),
    "committee.save_scores": gettext_lazy("%(actor)s saved scores (%(object)s)"),
    "committee.submit_scores": gettext_lazy("%(actor)s submitted scores (%(object)s)"),
    "award.propose": gettext_lazy("%(actor)s proposed %(object)s"),
    "award.standstill": gettext_lazy("%(actor)s started the standstill period of %(object)s"),
    "award.finalise": gettext_lazy("%(actor)s made %(object)s final"),
    "award.cancel": gettext_lazy("%(actor)s cancelled %(object)s"),
    "complaint.lodge": gettext_lazy("%(actor)s lodged %(object)s"),
    "complaint.upheld": gettext_lazy("%(actor)s upheld %(object)s"),
    "complaint.dismissed": gettext_lazy("%(actor)s dismissed %(object)s"),
    "complaint.close": gettext_lazy("%(actor)s closed %(object)s"),
    "contract.create": gettext_lazy("%(actor)s drew up %(object)s"),
    "contract.sign": gettext_lazy("%(actor)s signed %(object)s"),
    "contract.activate": gettext_lazy("%(actor)s: %(object)s is signed by both parties and in force"),
    "contract.amend": gettext_lazy("%(actor)s proposed an amendment to %(object)s"),
    "contract.amendment_effective": gettext_lazy("%(actor)s: the amendment to %(object)s is signed and in force"),
    "contract.complete": gettext_lazy("%(actor)s completed %(object)s"),
    "contract.terminate": gettext_lazy("%(actor)s terminated %(object)s"),
    "milestone.deliver": gettext_lazy("%(actor)s reported %(object)s delivered"),
    "milestone.accept": gettext_lazy("%(actor)s accepted %(object)s"),
    "milestone.return": gettext_lazy("%(actor)s sent %(object)s back"),
    "custodian.enrol": gettext_lazy("%(actor)s enrolled as a key custodian (%(object)s)"),
    "supplier.register": gettext_lazy("%(actor)s registered %(object)s"),
    "supplier.update": gettext_lazy("%(actor)s changed the record of %(object)s"),
    "supplier.resubmit": gettext_lazy("%(actor)s resubmitted %(object)s for vetting"),
    "supplier.approve": gettext_lazy("%(actor)s approved %(object)s"),
    "supplier.reject": gettext_lazy("%(actor)s rejected %(object)s"),
    "supplier.request_changes": gettext_lazy("%(actor)s asked %(object)s for changes"),
    "supplier.suspend": gettext_lazy("%(actor)s suspended %(object)s"),
    "supplier.reinstate": gettext_lazy("%(actor)s reinstated %(object)s"),
    "supplier.member_invite": gettext_lazy("%(actor)s invited a member to %(object)s"),
    "supplier.member_join": gettext_lazy("%(actor)s joined %(object)s"),
    "supplier.member_role": gettext_lazy("%(actor)s changed a member's role at %(object)s"),
    "supplier.member_remove": gettext_lazy("%(actor)s removed a member from %(object)s"),
    "supplier.invitation_revoke": gettext_lazy("%(actor)s revoked an invitation to %(object)s"),
    "supplier.document_upload": gettext_lazy("%(actor)s uploaded a document of %(object)s"),
    "supplier.document_delete": gettext_lazy("%(actor)s deleted a document of %(object)s"),
    "supplier.sanction_record": gettext_lazy("%(actor)s recorded %(object)s"),
    "supplier.sanction_lift": gettext_lazy("%(actor)s lifted %(object)s"),
    "integrity.flag_reviewed": gettext_lazy("%(actor)s reviewed %(object)s"),
    "custodian.observer_invite": gettext_lazy("%(actor)s invited an outside observer (%(object)s)"),
    "custodian.observer_accept": gettext_lazy("%(actor)s accepted to observe as a key custodian (%(object)s)"),
    "custodian.observer_revoke": gettext_lazy("%(actor)s revoked an observer's invitation (%(object)s)"),
    "admin.supplier.change": gettext_lazy("%(actor)s changed %(object)s in the administration site"),
    "admin.classification.delete": gettext_lazy("%(actor)s deleted a classification code (%(object)s)"),
    "framework.set": gettext_lazy("%(actor)s set up the framework agreement of %(object)s"),
    "agreement.conclude": gettext_lazy("%(actor)s concluded %(object)s"),
    "item.create": gettext_lazy("%(actor)s added %(object)s to the catalogue"),
    "item.update": gettext_lazy("%(actor)s changed %(object)s"),
    "item.submit": gettext_lazy("%(actor)s submitted %(object)s for approval"),
    "item.publish": gettext_lazy("%(actor)s published %(object)s in the catalogue"),
    "item.withdraw": gettext_lazy("%(actor)s withdrew %(object)s from the catalogue"),
    "item.stock": gettext_lazy("%(actor)s changed the stock of %(object)s"),
    "item.price_change_request": gettext_lazy("%(actor)s asked to change the price of %(object)s"),
    "item.price_change_approve": gettext_lazy("%(actor)s approved a new price for %(object)s"),
    "order.place": gettext_lazy("%(actor)s placed %(object)s"),
    "order.approve": gettext_lazy("%(actor)s approved %(object)s"),
    "order.decline": gettext_lazy("%(actor)s declined %(object)s"),
    "order.cancel": gettext_lazy("%(actor)s cancelled %(object)s"),
    "order.complete": gettext_lazy("%(actor)s completed %(object)s"),
    "delivery.dispatch": gettext_lazy("%(actor)s dispatched %(object)s"),
    "delivery.delivered": gettext_lazy("%(actor)s reported %(object)s delivered"),
    "delivery.inspect": gettext_lazy("%(actor)s inspected %(object)s"),
    "invoice.issue": gettext_lazy("%(actor)s issued %(object)s"),
    "invoice.approve": gettext_lazy("%(actor)s approved %(object)s"),
    "invoice.reject": gettext_lazy("%(actor)s rejected %(object)s"),
    "invoice.pay": gettext_lazy("%(actor)s paid %(object)s"),
    "invoice.late_claim": gettext_lazy("%(actor)s claimed interest for late payment of %(object)s"),
    "invoice.late_claim_settle": gettext_lazy("%(actor)s settled the late-payment claim of %(object)s"),
    "consortium.create": gettext_lazy("%(actor)s formed %(object)s"),
    "consortium.confirm": gettext_lazy("%(actor)s confirmed membership of %(object)s"),
    "consortium.confirmed": gettext_lazy("%(actor)s: every member has confirmed %(object)s"),
    "consortium.dissolve": gettext_lazy("%(actor)s dissolved %(object)s"),
    "consortium.invalidate": gettext_lazy("%(actor)s: %(object)s can no longer bid"),
    "consortium.change": gettext_lazy("%(actor)s changed the terms of %(object)s; every member confirms again"),
    "mini_competition.start": gettext_lazy("%(actor)s started %(object)s"),
    "mini_competition.award": gettext_lazy("%(actor)s awarded %(object)s and placed its order"),
    "mini_competition.unsuccessful": gettext_lazy("%(actor)s ended %(object)s without an award"),
    "bid_security.attach": gettext_lazy("%(actor)s attached %(object)s"),
    "bid_security.call": gettext_lazy("%(actor)s called in %(object)s"),
    "bid_security.release": gettext_lazy("%(actor)s released %(object)s"),
    "performance_security.attach": gettext_lazy("%(actor)s attached %(object)s"),
    "entity.custodian_defaults_set": gettext_lazy("%(actor)s set the default key custodians of %(object)s"),
    "demo.backdate": gettext_lazy("%(actor)s (demo loader) moved the dates of %(object)s"),
}
# Actions not listed read "<actor>: <action> on <record>"; tests/procurement/test_audit_words.py
# checks that every action the code writes has its sentence.
# Keys of `data` that are shown as a sentence already, or as the changes.
_SHOWN = {"changes", "related"}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Line:
    """One entry as the audit page shows it."""

    entry: object
    sentence: SafeString
    changes: list[Change] = field(default_factory=list)
    related: list[tuple[str, list[Change]]] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)

    @property
    def at(self) -> datetime:
        return timezone.localtime(self.entry.at)


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _records(entries) -> dict[tuple[str, str], object]:
    """The records a page of entries names, one query per model."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_id.isdigit():
            wanted.setdefault(entry.object_type, set()).add(int(entry.object_id))
    found = {}
    for label, ids in wanted.items():
        model = _model(label)
        if model is None:
            continue
        for pk, record in model._default_manager.in_bulk(ids).items():
            found[(label, str(pk))] = record
    return found


def _object_html(entry, record) -> SafeString:
    model = _model(entry.object_type)
    kind = str(model._meta.verbose_name) if model is not None else entry.object_type
    if record is None:
        return format_html("{} {}", kind, entry.object_id) if entry.object_id else format_html("{}", kind)
    name = str(record)
    label = name if kind.lower() in name.lower() else f"{kind} {name}"
    url = ""
    if hasattr(record, "get_absolute_url"):
        try:
            url = record.get_absolute_url()
        except Exception:  # noqa: BLE001 - a record without a page of its own is named, not linked
            url = ""
    return format_html('<a href="{}">{}</a>', url, label) if url else format_html("{}", label)


def _actor_html(entry, names: dict[int, str] | None) -> SafeString:
    if entry.actor_id is None:
        return format_html('<span class="portal-muted">{}</span>', _("The system"))
    if names is not None:  # a public document: who acted by organisation, never by e-mail address
        return format_html("{}", names.get(entry.actor_id) or _("The platform"))
    actor = entry.actor
    name = getattr(actor, "full_name", "") or entry.actor_label
    return format_html('{} <span class="portal-muted">({})</span>', name, entry.actor_label)


def _field(model, name: str):
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def _label(model, name: str) -> str:
    found = _field(model, name)
    if found is not None and getattr(found, "verbose_name", None):
        text = str(found.verbose_name)
        return text[:1].upper() + text[1:]
    return name.replace("_", " ").capitalize()


def value_text(value, *, model=None, name: str = "") -> str:
    """A recorded value as a person reads it: labels for codes, times with their zone, grouped digits."""
    if value is None or value == "" or value == []:
        return "—"
    found = _field(model, name) if model is not None else None
    if found is not None and getattr(found, "choices", None) and isinstance(value, str):
        return str(dict(found.choices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        moment = parse_datetime(value) if "T" in value or ":" in value else None
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            return date_format(timezone.localtime(moment), "Y-m-d H:i T")
        day = parse_date(value) if len(value) == 10 else None
        if day is not None:
            return date_format(day, "Y-m-d")
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        if number.is_finite() and value.replace(".", "", 1).lstrip("-").isdigit():
            return _grouped(number)
        return value
    if isinstance(value, int | float | Decimal):
        return _grouped(Decimal(str(value)))
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {value_text(v)}" for k, v in value.items())
    return json.dumps(value, ensure_ascii=False)


def _grouped(number: Decimal) -> str:
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"


def _changes(model, changes: dict) -> list[Change]:
    return [
        Change(
            _label(model, name),
            value_text(change.get("from"), model=model, name=name),
            value_text(change.get("to"), model=model, name=name),
        )
        for name, change in changes.items()
        if isinstance(change, dict)
    ]


def describe(entries, *, actor_names: dict[int, str] | None = None) -> list[Line]:
    """The lines of a page of entries. `actor_names` (actor id → name) replaces people's names and
    e-mail addresses, for documents the public reads."""
    entries = list(entries)
    records = _records(entries)
    lines = []
    for entry in entries:
        record = records.get((entry.object_type, entry.object_id))
        template = SENTENCES.get(entry.action)
        values = {"actor": _actor_html(entry, actor_names), "object": _object_html(entry, record)}
        if template is None:
            values["action"] = conditional_escape(entry.action)
            template = gettext_lazy("%(actor)s: %(action)s on %(object)s")
        sentence = mark_safe(conditional_escape(str(template)) % values)  # noqa: S308 - parts escaped above
        data = entry.data if isinstance(entry.data, dict) else {}
        model = _model(entry.object_type)
        related = [
            (f"{_model(label)._meta.verbose_name if _model(label) else label} {pk}", _changes(_model(label), fields))
            for label, rows in (data.get("related") or {}).items()
            for pk, fields in rows.items()
        ]
        lines.append(
            Line(
                entry=entry,
                sentence=sentence,
                changes=_changes(model, data.get("changes") or {}),
                related=related,
                details=[
                    (key.replace("_", " ").capitalize(), value_text(value, model=model, name=key))
                    for key, value in data.items()
                    if key not in _SHOWN
                ],
            )
        )
    return lines


def sentence_text(line: Line) -> str:
    """The sentence without markup (CSV)."""
    from django.utils.html import strip_tags

    return strip_tags(line.sentence)
