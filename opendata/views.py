"""OCDS open data API: release packages of public tenders. Public, read-only, plain JSON."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from tenders.selectors import tenders_public

from . import ocds

PAGE_SIZE = 50


class OcdsView(APIView):
    permission_classes = [permissions.AllowAny]
    # OCDS consumers want the package as it is, not the browsable API page.
    renderer_classes = [JSONRenderer]

    def uri(self, request) -> str:
        return ocds._absolute(request.get_full_path())


class ReleaseListView(OcdsView):
    """All public tenders, newest first, `PAGE_SIZE` releases a page (`?page=`); Link header for next/prev."""

    @extend_schema(
        operation_id="ocds_releases_list",
        responses={200: OpenApiTypes.OBJECT},
        summary="OCDS 1.1 release package of public tenders",
    )
    def get(self, request):
        tenders = ocds.tenders_for_ocds(tenders_public().order_by("-published_at", "-id"))
        paginator = Paginator(tenders, PAGE_SIZE)
        try:
            page = paginator.page(request.query_params.get("page", 1))
        except (EmptyPage, PageNotAnInteger) as exc:
            raise Http404 from exc
        package = ocds.release_package([ocds.tender_release(t) for t in page], uri=self.uri(request))
        response = Response(package)
        links = []
        if page.has_next():
            links.append(f'<{ocds._absolute(request.path)}?page={page.next_page_number()}>; rel="next"')
        if page.has_previous():
            links.append(f'<{ocds._absolute(request.path)}?page={page.previous_page_number()}>; rel="prev"')
        if links:
            response["Link"] = ", ".join(links)
        return response


class ReleaseDetailView(OcdsView):
    """One tender's current release, in a package."""

    @extend_schema(
        operation_id="ocds_release_retrieve",
        responses={200: OpenApiTypes.OBJECT},
        summary="OCDS 1.1 release package of one tender",
    )
    def get(self, request, ocid: str):
        tender = get_object_or_404(ocds.tenders_for_ocds(tenders_public()), ocid=ocid)
        return Response(ocds.release_package([ocds.tender_release(tender)], uri=self.uri(request)))
