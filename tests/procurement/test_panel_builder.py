"""The dashboards' panel builder: at most LIMIT items, rows an app skips left out, read lazily; and
each app's panels chosen by the user's role."""

import pytest

from procurement.dashboards import LIMIT, Item, panel, panels_by_role
from procurement.roles import Role
from tests.factories import UserFactory


def test_a_panel_shows_the_first_items_up_to_the_limit_and_reads_no_further():
    read = []

    def rows():
        for n in range(100):
            read.append(n)
            yield n

    built = panel("p", order=1, title="T", rows=rows(), item=lambda n: Item(str(n), f"/{n}/"), more=("/all/", "All"))
    assert [i.label for i in built.items] == [str(n) for n in range(LIMIT)]
    assert len(read) == LIMIT  # a queryset is not read past what the panel shows
    assert (built.more_url, built.more_label) == ("/all/", "All")


def test_rows_the_item_function_skips_do_not_count_against_the_limit():
    built = panel("p", order=1, title="T", rows=range(40), item=lambda n: Item(str(n), "/") if n % 3 == 0 else None)
    assert [i.label for i in built.items] == [str(n) for n in range(0, 3 * LIMIT, 3)]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.SUPPLIER, Role.EVALUATOR, Role.AUDITOR, Role.ADMIN])
def test_each_role_gets_the_panels_built_for_it_and_no_other(role):
    from procurement.roles import mfa_assume_verified

    user = UserFactory(role=role)
    mfa_assume_verified(user)
    built = {
        name: (lambda who, name=name: [panel(name, order=1, title=name, rows=[], item=lambda r: None)])
        for name in ("official", "supplier", "evaluator", "auditor", "admin")
    }
    [chosen] = panels_by_role(user, **built)
    assert chosen.key == role
    assert panels_by_role(user) == []  # an app with nothing for this role
