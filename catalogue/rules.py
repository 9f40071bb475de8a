"""Who may do what in the catalogue shop: one place for pages, the API and the admin site.

Deny by default. Buyers are officials of their own entity; the agency's officials (of the entity
that concluded an agreement) review its items and prices; suppliers act on their own agreements,
items, deliveries and invoices only. Auditors read everything and change nothing.
"""

import rules

from procurement.permissions import is_auditor, is_platform_admin
from suppliers.selectors import membership_for_user
from tenders.rules import is_entity_official
from tenders.selectors import is_approver_of, is_official_of, official_entity

from .models import CatalogueItem


def _entity_id(obj):
    if isinstance(obj, CatalogueItem):
        return obj.agreement.entity_id
    return getattr(obj, "entity_id", None)


def _supplier_id(obj):
    return getattr(obj, "supplier_id", None)


@rules.predicate
def is_acting_supplier_member(user) -> bool:
    """A member who acts for an approved company (administrator or bidder)."""
    membership = membership_for_user(user)
    return membership is not None and membership.may_bid


@rules.predicate
def member_of_supplier(user, obj) -> bool:
    membership = membership_for_user(user)
    return (
        obj is not None
        and membership is not None
        and membership.may_bid
        and membership.supplier_id == _supplier_id(obj)
    )


@rules.predicate
def official_of_obj_entity(user, obj) -> bool:
    """An official of the entity that owns the object (the agreement's agency, the order's buyer)."""
    return obj is not None and is_official_of(user, _entity_id(obj))


@rules.predicate
def approver_of_obj_entity(user, obj) -> bool:
    return obj is not None and is_approver_of(user, _entity_id(obj))


@rules.predicate
def item_is_published(user, item) -> bool:
    return item is not None and item.status == CatalogueItem.Status.PUBLISHED


@rules.predicate
def order_is_public(user, order) -> bool:
    return order is not None and order.is_public


@rules.predicate
def is_budget_holder(user) -> bool:
    """An official of an entity who may give its second approvals: who answers for its budget."""
    entity = official_entity(user)
    return entity is not None and is_approver_of(user, entity.pk)


rules.add_perm("catalogue.order", is_entity_official)
rules.add_perm("catalogue.view_budget", is_budget_holder)
rules.add_perm("catalogue.view_orders", is_entity_official | is_acting_supplier_member | is_auditor)
rules.add_perm("catalogue.manage_items", is_acting_supplier_member)
rules.add_perm("catalogue.review_items", is_entity_official)
rules.add_perm("catalogue.read_item", item_is_published | member_of_supplier | official_of_obj_entity | is_auditor)
rules.add_perm("catalogue.change_item", member_of_supplier)
rules.add_perm("catalogue.review_item", official_of_obj_entity)
rules.add_perm("catalogue.manage_agreement", official_of_obj_entity)
rules.add_perm("catalogue.add_item", member_of_supplier)
rules.add_perm("catalogue.read_order", order_is_public | official_of_obj_entity | member_of_supplier | is_auditor)
rules.add_perm("catalogue.read_order_private", official_of_obj_entity | member_of_supplier | is_auditor)
rules.add_perm("catalogue.approve_order", approver_of_obj_entity)
rules.add_perm("catalogue.manage_order", official_of_obj_entity)
rules.add_perm("catalogue.supply_order", member_of_supplier)
rules.add_perm("catalogue.read_mini_competition", official_of_obj_entity | is_auditor)
rules.add_perm("catalogue.manage_mini_competition", official_of_obj_entity)
rules.add_perm("catalogue.read_invoice", official_of_obj_entity | member_of_supplier | is_auditor)
rules.add_perm("catalogue.manage_invoice", official_of_obj_entity)
rules.add_perm("catalogue.supply_invoice", member_of_supplier)

# The admin site: platform admins read; changes go through the pages (services audit them).
rules.add_perm("catalogue", is_platform_admin | is_auditor)
for model in ("frameworkagreement", "catalogueitem", "order", "invoice", "entitybudget"):
    rules.add_perm(f"catalogue.view_{model}", is_platform_admin | is_auditor)
rules.add_perm("catalogue.change_entitybudget", is_platform_admin)
rules.add_perm("catalogue.add_entitybudget", is_platform_admin)
