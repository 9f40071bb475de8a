"""{% contracts_tender_panel %}: evaluation, award and contract on a tender's page
(included by templates/contracts/_tender_panel.html)."""

from decimal import Decimal

from django import template

from tenders.policies import method_policy

from .. import selectors
from ..models import Contract

register = template.Library()


@register.inclusion_tag("contracts/_tender_panel_body.html", takes_context=True)
def contracts_tender_panel(context, tender=None):
    tender = tender or context.get("tender")
    request = context.get("request")
    user = getattr(request, "user", None)
    if tender is None or user is None or not tender.is_public:
        return {"show": False}
    award = selectors.award_current(tender)
    visible_award = award if award is not None and user.has_perm("contracts.read_award", award) else None
    contract = Contract.objects.filter(tender=tender).first()
    return {
        "show": True,
        "tender": tender,
        "award": visible_award,
        "contract": contract if contract is not None and user.has_perm("contracts.read_contract", contract) else None,
        "can_evaluate": user.has_perm("contracts.read_evaluation", tender)
        and method_policy(tender.method).awarded_by_evaluation,
        "can_report": user.has_perm("contracts.download_award_report", tender),
    }


@register.filter
def score(value) -> str:
    """A score with up to four decimals and no trailing zeros: 71.5000 → "71.5"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):.4f}".rstrip("0").rstrip(".")


@register.filter
def audit_runs(entries, minimum: int = 3) -> list[dict]:
    """The award report's audit trail with each run of `minimum` or more consecutive entries of the same
    action folded into one row: [{"first", "last", "count", "actors"}] — `actors` is the one party who
    acted, or how many different ones did (1,000 bids are 1,000 "bid.submit" by 1,000 companies).

    Only what the PDF prints: the report's data keeps every entry with its full hash."""
    rows: list[dict] = []
    run: list[dict] = []

    def flush():
        if len(run) >= minimum:
            parties = {e["actor"] for e in run}
            actors = run[0]["actor"] if len(parties) == 1 else len(parties)
            rows.append({"first": run[0], "last": run[-1], "count": len(run), "actors": actors})
        else:
            rows.extend({"first": e, "last": e, "count": 1, "actors": e["actor"]} for e in run)

    for entry in entries:
        if run and entry["action"] != run[0]["action"]:
            flush()
            run = []
        run.append(entry)
    flush()
    return rows
