"""Timeline rules: the form and the service give the same answer, next to the same field."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tenders import services
from tenders.forms import TenderForm
from tenders.timeline import timeline_errors
from tests import sealing
from tests.tenders.conftest import future, login, tender_data

pytestmark = pytest.mark.django_db


def errors_for(**overrides):
    data = tender_data(**overrides)
    return timeline_errors(
        method=data["method"],
        category=data["category"],
        clarification_deadline=data["clarification_deadline"],
        submission_deadline=data["submission_deadline"],
        opening_at=data["opening_at"],
        now=timezone.now(),
    )


def test_a_sound_timeline_has_no_errors():
    assert errors_for() == {}


def test_questions_must_close_before_the_submission_deadline():
    errors = errors_for(clarification_deadline=future(days=10, hours=2))
    assert set(errors) == {"clarification_deadline"}


def test_opening_cannot_come_before_the_submission_deadline():
    errors = errors_for(opening_at=future(days=9))
    assert set(errors) == {"opening_at"}


def test_opening_at_the_deadline_itself_is_allowed():
    deadline = future(days=10)
    assert errors_for(submission_deadline=deadline, opening_at=deadline) == {}


def test_moments_in_the_past_are_refused():
    errors = errors_for(clarification_deadline=future(days=-1))
    assert "already passed" in errors["clarification_deadline"]


@pytest.mark.parametrize(
    ("method", "category", "days"),
    [("open", "goods", 7), ("open", "works", 7), ("restricted", "goods", 5), ("limited", "services", 3)],
)
def test_the_minimum_tender_period_depends_on_method_and_category(method, category, days):
    short = errors_for(
        method=method,
        category=category,
        clarification_deadline=future(days=days - 2),
        submission_deadline=future(days=days, hours=-1),
        opening_at=future(days=days + 1),
    )
    assert f"at least {days} days" in short["submission_deadline"]
    assert (
        errors_for(
            method=method,
            category=category,
            clarification_deadline=future(days=days - 2),
            submission_deadline=future(days=days, hours=1),
            opening_at=future(days=days + 1),
        )
        == {}
    )


def test_the_minimum_periods_come_from_settings(settings):
    settings.MIN_TENDER_PERIOD_DAYS = {**settings.MIN_TENDER_PERIOD_DAYS, "open": {"goods": 40}}
    assert "at least 40 days" in errors_for()["submission_deadline"]


def form_data(**overrides):
    data = tender_data(**overrides)
    post = {k: v for k, v in data.items() if k not in ("evaluation_params",)}
    for name in ("clarification_deadline", "submission_deadline", "opening_at"):
        post[name] = timezone.localtime(data[name]).strftime("%Y-%m-%dT%H:%M")
    return post


def test_the_form_reports_each_timeline_error_on_its_field():
    form = TenderForm(
        data=form_data(
            clarification_deadline=future(days=11),
            submission_deadline=future(days=3),
            opening_at=future(days=2),
        )
    )
    assert not form.is_valid()
    assert "at least 7 days" in form.errors["submission_deadline"][0]
    assert "clarification_deadline" not in form.errors or "before" in form.errors["clarification_deadline"][0]


def test_the_form_refuses_opening_before_the_deadline():
    form = TenderForm(data=form_data(opening_at=future(days=9)))
    assert not form.is_valid()
    assert list(form.errors) == ["opening_at"]


def test_the_page_shows_the_error_next_to_the_field(client, official):
    login(client, official)
    response = client.post(reverse("tenders:create"), form_data(opening_at=future(days=9)))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('id="id_opening_at_error"')
    assert "Bids cannot be opened before the submission deadline" in html[start : start + 400]


def test_the_service_refuses_a_timeline_that_expired_while_the_draft_waited(official, draft, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=6))
    with pytest.raises(services.TenderValidationError) as exc:
        sealing.publish(tender=draft, actor=official)
    assert set(exc.value.errors) == {"clarification_deadline", "submission_deadline"}
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.published_at is None
    assert draft.public_key is None  # the ceremony's material was not stored either


def test_publishing_an_invalid_draft_shows_the_errors_on_the_draft_form(client, official, draft, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=6))
    login(client, official)
    draft = services.tender_reference_assign(tender=draft)
    material, _private = sealing.tender_seal_material(draft)
    response = client.post(
        reverse("tenders:publish", args=[draft.pk]), {"sealing": json.dumps(sealing.sealing_json(material))}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_submission_deadline_error"' in html
    assert 'id="id_clarification_deadline_error"' in html


def test_limited_procurement_needs_a_justification(official):
    with pytest.raises(services.TenderValidationError) as exc:
        services.tender_create(actor=official, data=tender_data(method="limited", method_justification=""))
    assert set(exc.value.errors) == {"method_justification"}


def test_evaluation_parameters_are_validated_per_method(official):
    with pytest.raises(services.TenderValidationError) as exc:
        services.tender_create(
            actor=official,
            data=tender_data(
                evaluation_method="best_value", evaluation_params={"technical_weight": 70, "price_weight": 20}
            ),
        )
    assert "evaluation_params.price_weight" in exc.value.errors


def test_evaluation_parameters_default_to_the_national_settings(official, settings):
    tender = services.tender_create(actor=official, data=tender_data(evaluation_method="floor_rate_reserve"))
    assert tender.evaluation_params["floor_rate"] == settings.EVALUATION_DEFAULTS["floor_rate_reserve"]["floor_rate"]
    assert tender.evaluation_params["reserve_count"] == 15
