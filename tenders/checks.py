"""Startup checks: every method a tender can choose has a complete policy."""

from django.conf import settings
from django.core.checks import Error, register

from .models import Tender
from .policies import EVALUATION_POLICIES, METHOD_POLICIES


@register()
def procedures_have_policies(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    evaluation_methods = {str(m) for m in Tender.EvaluationMethod} | set(settings.EVALUATION_DEFAULTS)
    for method in sorted(evaluation_methods):
        policy = EVALUATION_POLICIES.get(method)
        if policy is None:
            errors.append(
                Error(
                    f"Evaluation method {method!r} has no procedure policy.",
                    hint="Add a policy class to tenders/policies.py.",
                    id="tenders.E001",
                )
            )
            continue
        if not (policy.ocds_award_criteria and policy.ocds_award_criteria_details and policy.ocds_rules_method):
            errors.append(
                Error(
                    f"The {method!r} procedure has no OCDS vocabulary.",
                    hint="Set its ocds_award_criteria, ocds_award_criteria_details and ocds_rules_method.",
                    id="tenders.E004",
                )
            )
        options = tuple(policy.envelope_options)
        if not options or 1 not in options or not set(options) <= {1, 2}:
            errors.append(
                Error(
                    f"The {method!r} procedure allows envelopes {options!r}; it must allow 1 and at most 2.",
                    hint="Set envelope_options to (1,) or (1, 2) on its policy.",
                    id="tenders.E005",
                )
            )
        for role in policy.ATTACHABLE:
            if getattr(policy, role) is None:
                errors.append(
                    Error(
                        f"The {method!r} procedure has no {role}.",
                        hint="Its app attaches it with tenders.policies.attach() in AppConfig.ready().",
                        id="tenders.E002",
                    )
                )
    procurement_methods = {str(m) for m in Tender.Method} | set(settings.MIN_TENDER_PERIOD_DAYS)
    for method in sorted(procurement_methods & set(METHOD_POLICIES)):
        if not (METHOD_POLICIES[method].ocds_method and METHOD_POLICIES[method].ocds_method_details):
            errors.append(
                Error(
                    f"Procurement method {method!r} has no OCDS vocabulary.",
                    hint="Set its ocds_method and ocds_method_details.",
                    id="tenders.E005",
                )
            )
    for method in sorted(procurement_methods & set(METHOD_POLICIES)):
        policy = METHOD_POLICIES[method]
        if policy.invitations_from_framework and (not policy.invitation_only or policy.chosen_by_officials):
            errors.append(
                Error(
                    f"Procurement method {method!r} takes its invitations from a framework but is open or "
                    "chosen by officials.",
                    hint="A framework's second-stage method is invitation_only and not chosen_by_officials.",
                    id="tenders.E006",
                )
            )
    for method in sorted(procurement_methods - set(METHOD_POLICIES)):
        errors.append(
            Error(
                f"Procurement method {method!r} has no policy.",
                hint="Add a MethodPolicy class to tenders/policies.py.",
                id="tenders.E003",
            )
        )
    return errors
