"""OCDS open data API: releases and records of public tenders, the extension, the publication policy.

Public, read-only, plain JSON. Lists are paginated by contracting process (`?page=`, newest first,
`PAGE_SIZE` tenders a page, Link header for next/prev): a page of releases holds every release of
those tenders.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from tenders.selectors import tenders_public

from . import frameworks, merge, ocds, packages
from .models import BulkFile

PAGE_SIZE = 50
EXTENSIONS_DIR = Path(__file__).resolve().parent / "extensions"


class OcdsView(APIView):
    permission_classes = [permissions.AllowAny]
    # OCDS consumers want the package as it is, not the browsable API page.
    renderer_classes = [JSONRenderer]

    def uri(self, request) -> str:
        return ocds.absolute(request.get_full_path())


class PaginatedOcdsView(OcdsView):
    def page(self, request):
        tenders = ocds.tenders_for_ocds(tenders_public().order_by("-published_at", "-id"))
        paginator = Paginator(tenders, PAGE_SIZE)
        try:
            return paginator.page(request.query_params.get("page", 1))
        except (EmptyPage, PageNotAnInteger) as exc:
            raise Http404 from exc

    def respond(self, request, page, package: dict) -> Response:
        response = Response(package)
        links = []
        if page.has_next():
            links.append(f'<{ocds.absolute(request.path)}?page={page.next_page_number()}>; rel="next"')
        if page.has_previous():
            links.append(f'<{ocds.absolute(request.path)}?page={page.previous_page_number()}>; rel="prev"')
        if links:
            response["Link"] = ", ".join(links)
        return response


class ReleaseListView(PaginatedOcdsView):
    """Every release of the public tenders on this page, each tender's oldest first."""

    @extend_schema(operation_id="ocds_releases_list", responses={200: OpenApiTypes.OBJECT}, summary="OCDS releases")
    def get(self, request):
        page = self.page(request)
        releases = [release for tender in page for release in ocds.tender_releases(tender)]
        return self.respond(request, page, packages.release_package(releases, uri=self.uri(request)))


class ReleaseDetailView(OcdsView):
    """Every release of one tender, oldest first."""

    @extend_schema(
        operation_id="ocds_release_retrieve",
        responses={200: OpenApiTypes.OBJECT},
        summary="OCDS releases of one tender",
    )
    def get(self, request, ocid: str):
        return Response(packages.release_package(process_releases(ocid), uri=self.uri(request)))


class RecordListView(PaginatedOcdsView):
    """One record per public tender on this page: releases, compiled release and version history."""

    @extend_schema(operation_id="ocds_records_list", responses={200: OpenApiTypes.OBJECT}, summary="OCDS records")
    def get(self, request):
        page = self.page(request)
        records = [packages.tender_record(tender) for tender in page]
        return self.respond(request, page, packages.record_package(records, uri=self.uri(request)))


class RecordDetailView(OcdsView):
    @extend_schema(
        operation_id="ocds_record_retrieve", responses={200: OpenApiTypes.OBJECT}, summary="OCDS record of one tender"
    )
    def get(self, request, ocid: str):
        return Response(packages.record_package([merge.record(process_releases(ocid))], uri=self.uri(request)))


def process_releases(ocid: str) -> list[dict]:
    """The releases of one public contracting process: a tender, or a call-off order above the threshold."""
    tender = ocds.tenders_for_ocds(tenders_public()).filter(ocid=ocid).first()
    if tender is not None:
        return ocds.tender_releases(tender)
    order = frameworks.order_by_ocid(ocid)
    if order is None:
        raise Http404
    return frameworks.order_releases(order)


class OrderPage(PaginatedOcdsView):
    """Direct call-off orders (납품요구) published as contracting processes of their own, newest first."""

    def page(self, request):
        orders = frameworks.orders_for_ocds(frameworks.orders_ocds_public().order_by("-placed_at", "-id"))
        paginator = Paginator(orders, PAGE_SIZE)
        try:
            return paginator.page(request.query_params.get("page", 1))
        except (EmptyPage, PageNotAnInteger) as exc:
            raise Http404 from exc


class OrderReleaseListView(OrderPage):
    """Every release of the published call-off orders on this page, each order's oldest first."""

    @extend_schema(
        operation_id="ocds_order_releases_list", responses={200: OpenApiTypes.OBJECT}, summary="OCDS call-off orders"
    )
    def get(self, request):
        page = self.page(request)
        releases = [release for order in page for release in frameworks.order_releases(order)]
        return self.respond(request, page, packages.release_package(releases, uri=self.uri(request)))


class OrderRecordListView(OrderPage):
    """One record per published call-off order on this page."""

    @extend_schema(
        operation_id="ocds_order_records_list",
        responses={200: OpenApiTypes.OBJECT},
        summary="OCDS records of call-off orders",
    )
    def get(self, request):
        page = self.page(request)
        records = [merge.record(frameworks.order_releases(order)) for order in page]
        return self.respond(request, page, packages.record_package(records, uri=self.uri(request)))


class BulkView(OcdsView):
    """Where the newest bulk file is, with its SHA-256 (rebuilt daily by Celery)."""

    @extend_schema(operation_id="ocds_bulk", responses={200: OpenApiTypes.OBJECT}, summary="OCDS bulk download")
    def get(self, request):
        bulk = BulkFile.objects.first()
        if bulk is None:
            raise Http404
        name = Path(bulk.file.name).name
        return Response(
            {
                "url": ocds.absolute(reverse("api-ocds-bulk-file", args=[name])),
                "sha256": bulk.sha256,
                "size": bulk.size,
                "records": bulk.records,
                "publishedDate": bulk.published_at.isoformat(),
            }
        )


def bulk_file(request, name: str):
    bulk = get_object_or_404(BulkFile, file=f"opendata/{name}")
    response = FileResponse(bulk.file.open("rb"), content_type="application/json", filename=name)
    response["X-Content-SHA256"] = bulk.sha256
    return response


def extension_file(request, name: str, filename: str):
    """The local extension's metadata and schema patch, where OCDS tools look for them (next to each other)."""
    if name not in ocds.EXTENSIONS or filename not in ("extension.json", "release-schema.json"):
        raise Http404
    data = json.loads((EXTENSIONS_DIR / name / filename).read_text())
    if filename == "extension.json":
        data["documentationUrl"] = {"en": ocds.absolute(reverse("opendata:policy"))}
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def policy(request):
    """The publication policy (publicationPolicy in every package): what is published, when, and how."""
    context = {
        "page_size": PAGE_SIZE,
        "extensions": ocds.EXTENSIONS,
        "publication_threshold": settings.CATALOGUE_PUBLICATION_THRESHOLD,
    }
    return render(request, "opendata/policy.html", context)
