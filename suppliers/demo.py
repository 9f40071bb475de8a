"""Demo companies: approved ones in different lines of business, one awaiting vetting, one debarred."""

import hashlib
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from procurement.audit import audit_record
from procurement.demo import demo_user

from .classifications import cpv_ensure
from .models import Classification, Sanction, Supplier, SupplierDocument, SupplierMember, SupplierStatusChange
from .validators import korean_brn_check_digit


def _brn(first_nine: str) -> str:
    return f"{first_nine}{korean_brn_check_digit(first_nine)}"


# email, name_ko, name_en, first nine digits, status, representative, address, size, CPV codes
DEMO_SUPPLIERS = [
    (
        "supplier1@example.com",
        "한빛정보통신 주식회사",
        "Hanbit ICT Co., Ltd.",
        "110813541",
        Supplier.Status.APPROVED,
        "정공급",
        "서울특별시 구로구 디지털로 300",
        Supplier.SizeClass.SME,
        ["30200000", "48000000", "72200000", "72500000"],
    ),
    (
        "supplier2@example.com",
        "대한건설 주식회사",
        "Daehan Construction Co., Ltd.",
        "220871234",
        Supplier.Status.APPROVED,
        "강입찰",
        "부산광역시 해운대구 센텀중앙로 90",
        Supplier.SizeClass.LARGE,
        ["45000000", "45200000", "45300000", "71300000"],
    ),
    (
        "supplier3@example.com",
        "누리사무기기",
        "Nuri Office Supplies",
        "305862718",
        Supplier.Status.APPROVED,
        "조납품",
        "대전광역시 유성구 대학로 99",
        Supplier.SizeClass.SME,
        ["30100000", "39100000", "22800000"],
    ),
    (
        "pending@example.com",
        "새싹솔루션",
        "Saessak Solutions",
        "412075566",
        Supplier.Status.PENDING,
        "윤대기",
        "광주광역시 북구 첨단과기로 123",
        Supplier.SizeClass.SME,
        ["72000000", "79400000"],
    ),
    (
        "debarred@example.com",
        "부실산업 주식회사",
        "Busil Industries Co., Ltd.",
        "509813377",
        Supplier.Status.APPROVED,
        "한제재",
        "경기도 화성시 동탄대로 5",
        Supplier.SizeClass.SME,
        ["44100000", "45400000"],
    ),
]


def certificate_pdf(company: str, number: str) -> bytes:
    """A one-page PDF with a line of ASCII text, built by hand (offsets computed, so readers accept it)."""
    text = f"Certificate of business registration - {company} - {number} (demo)"
    text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 56 780 Td ({text}) Tj ET".encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number_, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number_ + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _ensure_certificate(supplier: Supplier, user) -> None:
    if supplier.documents.exists():
        return
    content = certificate_pdf(supplier.name_en, supplier.registration_number_display)
    document = SupplierDocument(
        supplier=supplier,
        kind=SupplierDocument.Kind.REGISTRATION_CERTIFICATE,
        title="사업자등록증명",
        original_name="business-registration-certificate.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
    )
    document.file.save("document", ContentFile(content), save=False)
    document.save()


def _ensure_sanction(supplier: Supplier) -> None:
    if supplier.sanctions.exists():
        return
    today = timezone.localdate()
    sanction = Sanction.objects.create(
        supplier=supplier,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=150),
        legal_ground="국가를 당사자로 하는 계약에 관한 법률 제27조 제1항 제2호",
        reason="계약 이행 과정에서 품질 시험성적서를 위조하여 제출함 (demo).",
        deciding_body="조달청",
        recorded_by=demo_user("admin@example.com"),
    )
    audit_record(
        actor=None,
        action="supplier.sanction_record",
        obj=sanction,
        data={"supplier": supplier.pk, "demo": True, "starts_on": sanction.starts_on, "ends_on": sanction.ends_on},
    )


def load(stdout) -> None:
    cpv_ensure()
    classifications = {c.code: c for c in Classification.objects.all()}
    for email, name_ko, name_en, brn9, status, representative, address, size, codes in DEMO_SUPPLIERS:
        user = demo_user(email)
        with transaction.atomic():
            supplier, created = Supplier.objects.get_or_create(
                country="KR",
                registration_number=_brn(brn9),
                defaults={
                    "name_ko": name_ko,
                    "name_en": name_en,
                    "status": status,
                    "approved_at": timezone.now() if status == Supplier.Status.APPROVED else None,
                },
            )
            # Fill what older demo data lacked, without overwriting anything a person changed since.
            profile = {
                "representative": representative,
                "address": address,
                "contact_email": email,
                "phone": "02-1234-5678",
            }
            missing = {name: value for name, value in profile.items() if not getattr(supplier, name)}
            if created:
                missing["size_class"] = size
            if missing:
                Supplier.objects.filter(pk=supplier.pk).update(**missing)
            if not supplier.classifications.exists():
                supplier.classifications.set([classifications[c] for c in codes if c in classifications])
            if not supplier.status_changes.exists():
                SupplierStatusChange.objects.create(supplier=supplier, to_status=supplier.status)
            SupplierMember.objects.get_or_create(
                user=user, defaults={"supplier": supplier, "role": SupplierMember.Role.ADMINISTRATOR}
            )
            if created:
                audit_record(actor=None, action="supplier.register", obj=supplier, data={"demo": True})
        _ensure_certificate(supplier, user)
        if email == "debarred@example.com":
            with transaction.atomic():
                _ensure_sanction(supplier)
    stdout.write(f"Demo suppliers: {len(DEMO_SUPPLIERS)} (one awaiting vetting, one debarred)")
