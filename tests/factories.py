"""factory_boy factories shared by every test folder."""

import factory
from allauth.account.models import EmailAddress

from procurement.models import User
from procurement.roles import Role
from suppliers.models import Supplier, SupplierMember
from suppliers.validators import korean_brn_check_digit
from tenders.models import Official, ProcuringEntity

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    role = Role.SUPPLIER
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class ProcuringEntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcuringEntity

    code = factory.Sequence(lambda n: f"E{n:05d}")
    name_ko = factory.Sequence(lambda n: f"기관{n}")
    name_en = factory.Sequence(lambda n: f"Agency {n}")


class OfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Official

    user = factory.SubFactory(UserFactory, role=Role.OFFICIAL)
    entity = factory.SubFactory(ProcuringEntityFactory)


def valid_brn(n: int) -> str:
    first_nine = f"{(110000000 + n * 7919) % 1_000_000_000:09d}"
    return f"{first_nine}{korean_brn_check_digit(first_nine)}"


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name_ko = factory.Sequence(lambda n: f"공급사{n}")
    name_en = factory.Sequence(lambda n: f"Supplier {n} Co.")
    registration_number = factory.Sequence(valid_brn)
    status = Supplier.Status.APPROVED


class SupplierMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierMember

    user = factory.SubFactory(UserFactory, role=Role.SUPPLIER)
    supplier = factory.SubFactory(SupplierFactory)
    role = SupplierMember.Role.ADMINISTRATOR


# --- tenders ---------------------------------------------------------------------------


def _in_days(days: float, hours: float = 0):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(days=days, hours=hours)


class TenderFactory(factory.django.DjangoModelFactory):
    """A draft by default; `TenderFactory(published=True)` gives a published tender sealed as the
    browser would (key pair split to the platform and two custodians, 2 of 3; reserve prices sealed
    for the floor-rate method), with reference and ocid — without tenders.services.tender_publish:
    no notices, no audit. The private key the "browser" made is on `tender.test_private_key`."""

    class Meta:
        model = "tenders.Tender"
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(
            status="published",
            reference=factory.Sequence(lambda n: f"2099-{n + 1:05d}"),
            ocid=factory.LazyAttribute(lambda t: f"ocds-koneps-{t.reference}"),
            published_at=factory.LazyFunction(lambda: _in_days(0)),
            next_check=factory.SelfAttribute("submission_deadline"),
        )

    entity = factory.SubFactory(ProcuringEntityFactory)
    created_by = factory.LazyAttribute(
        lambda t: OfficialFactory(entity=t.entity).user if t.entity else UserFactory(role=Role.OFFICIAL)
    )
    title = factory.Sequence(lambda n: f"테스트 공고 {n}")
    description = "<p>Test tender.</p>"
    method = "open"
    category = "goods"
    estimated_value = 100_000_000
    evaluation_method = "lowest_price"
    clarification_deadline = factory.LazyFunction(lambda: _in_days(5))
    submission_deadline = factory.LazyFunction(lambda: _in_days(10))
    opening_at = factory.LazyFunction(lambda: _in_days(10, hours=1))

    @factory.post_generation
    def sealing(self, create, extracted, **kwargs):
        """`sealing__reserve_values=[…]` seals those reserve prices instead of a random draw."""
        if create and self.status != "draft":
            from tests.sealing import seal_published

            self.test_private_key = seal_published(self, **kwargs)


# --- suppliers -------------------------------------------------------------------------


class SanctionFactory(factory.django.DjangoModelFactory):
    """A debarment running from yesterday for 90 days (Seoul dates), recorded by a platform admin."""

    class Meta:
        model = "suppliers.Sanction"

    supplier = factory.SubFactory(SupplierFactory)
    starts_on = factory.LazyFunction(lambda: _local_today(-1))
    ends_on = factory.LazyFunction(lambda: _local_today(89))
    legal_ground = "국가를 당사자로 하는 계약에 관한 법률 제27조"
    reason = "Forged test certificates."
    deciding_body = "조달청"
    recorded_by = factory.SubFactory(UserFactory, role=Role.ADMIN)


def _local_today(days: int = 0):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() + timedelta(days=days)


# --- bid securities ----------------------------------------------------------------------


class SecurityIssuerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bidding.SecurityIssuer"
        django_get_or_create = ("code",)

    code = "KFSU"
    name_ko = "테스트보증보험"
    name_en = "Test Surety Co."
    kind = "surety"


class IssuedGuaranteeFactory(factory.django.DjangoModelFactory):
    """A guarantee in the simulated issuer's book; pass `principal` (a Supplier) and `tender`."""

    class Meta:
        model = "bidding.IssuedGuarantee"
        exclude = ("principal", "tender")

    principal = None
    tender = None
    issuer = factory.SubFactory(SecurityIssuerFactory)
    number = factory.Sequence(lambda n: f"G-{n:06d}")
    principal_registration_number = factory.LazyAttribute(lambda g: g.principal.registration_number)
    beneficiary_reference = factory.LazyAttribute(lambda g: g.tender.reference)
    amount = 5_000_000
    valid_until = factory.LazyFunction(lambda: _local_today(60))
