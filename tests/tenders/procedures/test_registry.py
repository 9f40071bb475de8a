"""Every method a tender can choose has one complete procedure policy, and startup refuses otherwise."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from contracts.policies import EvaluationMethodPolicy
from sealclient.rules import RankingPolicy
from tenders import policies
from tenders.checks import procedures_have_policies
from tenders.models import Tender


@pytest.mark.parametrize("method", [m.value for m in Tender.EvaluationMethod])
def test_every_evaluation_method_has_a_complete_procedure(method):
    procedure = policies.evaluation_policy(method)
    assert procedure.key == method
    assert issubclass(procedure.ranking, RankingPolicy)
    assert procedure.ranking.key == method
    assert issubclass(procedure.evaluation, EvaluationMethodPolicy)
    assert procedure.evaluation.key == method


def test_every_method_with_national_defaults_has_a_procedure(settings):
    assert set(settings.EVALUATION_DEFAULTS) <= set(policies.EVALUATION_POLICIES)


@pytest.mark.parametrize("method", [m.value for m in Tender.Method])
def test_every_procurement_method_has_a_policy(method, settings):
    assert policies.method_policy(method).key == method
    assert method in settings.MIN_TENDER_PERIOD_DAYS


def test_the_tree_as_shipped_passes_the_check():
    assert procedures_have_policies() == []


def test_startup_refuses_a_method_without_a_policy(settings):
    settings.EVALUATION_DEFAULTS = {**settings.EVALUATION_DEFAULTS, "two_envelope": {}}
    errors = procedures_have_policies()
    assert [e.id for e in errors] == ["tenders.E001"]
    assert "two_envelope" in errors[0].msg
    with pytest.raises(SystemCheckError, match="two_envelope"):
        call_command("check")


def test_startup_refuses_a_procedure_missing_its_ranking(monkeypatch):
    monkeypatch.setattr(policies.BestValue, "ranking", None)
    errors = procedures_have_policies()
    assert [(e.id, "'best_value'" in e.msg and "ranking" in e.msg) for e in errors] == [("tenders.E002", True)]


def test_startup_refuses_a_procurement_method_without_a_policy(settings):
    settings.MIN_TENDER_PERIOD_DAYS = {**settings.MIN_TENDER_PERIOD_DAYS, "competitive_dialogue": {}}
    assert [e.id for e in procedures_have_policies()] == ["tenders.E003"]


def test_startup_refuses_a_framework_second_stage_that_officials_could_choose(monkeypatch):
    monkeypatch.setattr(policies.MiniCompetitionMethod, "chosen_by_officials", True)
    assert [e.id for e in procedures_have_policies()] == ["tenders.E006"]


def test_only_the_known_parts_of_a_procedure_can_be_attached():
    with pytest.raises(ValueError, match="opening"):
        policies.attach("lowest_price", opening=object)
