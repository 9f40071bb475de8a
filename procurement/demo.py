"""Demo accounts: fixed so anyone can try every role (password in DEMO_PASSWORD)."""

from allauth.account.models import EmailAddress

from .models import User
from .roles import Role, mfa_assume_verified

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published on purpose: demo only

DEMO_USERS = [
    ("admin@example.com", "플랫폼 관리자", Role.ADMIN),
    ("official@example.com", "김조달", Role.OFFICIAL),
    ("official2@example.com", "이승인", Role.OFFICIAL),
    ("evaluator@example.com", "박평가", Role.EVALUATOR),
    ("auditor@example.com", "최감사", Role.AUDITOR),
    ("supplier1@example.com", "정공급", Role.SUPPLIER),
    ("supplier2@example.com", "강입찰", Role.SUPPLIER),
    ("supplier3@example.com", "조납품", Role.SUPPLIER),
    ("pending@example.com", "윤대기", Role.SUPPLIER),
    ("debarred@example.com", "한제재", Role.SUPPLIER),
]


def demo_user(email: str) -> User:
    """A demo account to act as; the loader stands in for the person, second factor included."""
    user = User.objects.get(email=email)
    mfa_assume_verified(user)
    return user


def load(stdout) -> None:
    for email, name, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": name, "role": role, "is_staff": role == Role.ADMIN}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    stdout.write(f"Demo accounts: {', '.join(email for email, _, _ in DEMO_USERS)}")


def demo_backdate(*, obj, updates: dict, reason: str) -> None:
    """Demo only: move a record's dates, in the open — one audit entry with the values before and after.

    The database refuses a tender's timeline change without an entry in the same transaction; the
    demo's history says plainly that the loader moved these dates (its entries keep their real times).
    """
    from django.db import transaction

    from .audit import audit_record

    model = type(obj)
    with transaction.atomic():
        rows = model.objects.filter(pk=obj.pk)
        before = rows.values(*updates).get()
        rows.update(**updates)
        after = rows.values(*updates).get()
        audit_record(
            actor=None, action="demo.backdate", obj=obj, data={"reason": reason, "before": before, "after": after}
        )
    obj.refresh_from_db()
