from procurement.demo import demo_user

from .models import Supplier, SupplierMember
from .validators import korean_brn_check_digit


def _brn(first_nine: str) -> str:
    return f"{first_nine}{korean_brn_check_digit(first_nine)}"


DEMO_SUPPLIERS = [
    ("supplier1@example.com", "한빛정보통신 주식회사", "Hanbit ICT Co., Ltd.", "110813541", Supplier.Status.APPROVED),
    (
        "supplier2@example.com",
        "대한건설 주식회사",
        "Daehan Construction Co., Ltd.",
        "220871234",
        Supplier.Status.APPROVED,
    ),
    ("supplier3@example.com", "누리사무기기", "Nuri Office Supplies", "305862718", Supplier.Status.APPROVED),
    ("pending@example.com", "새싹솔루션", "Saessak Solutions", "412075566", Supplier.Status.PENDING),
    ("debarred@example.com", "부실산업 주식회사", "Busil Industries Co., Ltd.", "509813377", Supplier.Status.APPROVED),
]


def load(stdout) -> None:
    for email, name_ko, name_en, brn9, status in DEMO_SUPPLIERS:
        supplier, _ = Supplier.objects.get_or_create(
            country="KR",
            registration_number=_brn(brn9),
            defaults={"name_ko": name_ko, "name_en": name_en, "status": status},
        )
        SupplierMember.objects.get_or_create(
            user=demo_user(email), defaults={"supplier": supplier, "role": SupplierMember.Role.ADMINISTRATOR}
        )
    stdout.write(f"Demo suppliers: {len(DEMO_SUPPLIERS)}")
