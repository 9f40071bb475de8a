"""Page links without looping over every page number (a list of 100,000 tenders has 5,000 pages)."""

from django import template

register = template.Library()


@register.filter
def elided_pages(page_obj) -> list[int | None]:
    """The first and last page numbers and two either side of the current one; None where pages are left out."""
    ellipsis = page_obj.paginator.ELLIPSIS
    return [
        None if number == ellipsis else number
        for number in page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    ]
