from procurement.demo import demo_user

from .models import Official, ProcuringEntity


def load(stdout) -> None:
    pps, _ = ProcuringEntity.objects.get_or_create(
        code="1230000", defaults={"name_ko": "조달청", "name_en": "Public Procurement Service"}
    )
    for email, title, can_approve in [
        ("official@example.com", "계약관", False),
        ("official2@example.com", "계약과장", True),
        ("evaluator@example.com", "기술평가위원", False),
    ]:
        Official.objects.get_or_create(
            user=demo_user(email), defaults={"entity": pps, "title": title, "can_approve": can_approve}
        )
    stdout.write("Demo procuring entity: 조달청 (Public Procurement Service)")
