import rules

from .permissions import is_auditor, is_authenticated, is_platform_admin

rules.add_perm("procurement.view_audit_log", is_platform_admin | is_auditor)
rules.add_perm("procurement.view_notifications", is_authenticated)
rules.add_perm("procurement.view_dashboard", is_authenticated)

# Admin site: platform admins manage accounts; the audit log is read-only for everyone.
rules.add_perm("procurement", is_platform_admin)
rules.add_perm("procurement.view_user", is_platform_admin)
rules.add_perm("procurement.change_user", is_platform_admin)
rules.add_perm("procurement.add_user", is_platform_admin)
rules.add_perm("procurement.view_auditentry", is_platform_admin | is_auditor)
rules.add_perm("procurement.view_outbox", is_platform_admin)
