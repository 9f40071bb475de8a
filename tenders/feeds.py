"""An Atom feed of newly published tenders (for feed readers and aggregators)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .selectors import tenders_public
from .timeline import format_local


class LatestTendersFeed(Feed):
    feed_type = Atom1Feed
    title = _("Newly published tenders")
    subtitle = _("Tenders published on the national e-procurement portal, newest first.")

    def link(self):
        return reverse("tenders:list")

    def items(self):
        return tenders_public().filter(published_at__isnull=False).order_by("-published_at")[:50]

    def item_title(self, item):
        return f"[{item.reference}] {item.title}"

    def item_description(self, item):
        summary = Truncator(strip_tags(item.description)).chars(400)
        deadline = _("Bids due: %(deadline)s") % {"deadline": format_local(item.submission_deadline)}
        return f"{item.entity.name} · {deadline}\n\n{summary}"

    def item_link(self, item):
        return reverse("tenders:detail", args=[item.pk])

    def item_guid(self, item):
        return item.ocid

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.entity.name

    def item_categories(self, item):
        return [item.get_category_display(), item.get_method_display()]
