"""Who may see and review flags. Deny by default.

Auditors (MFA enrolled) see every flag and review them; nobody else sees the dashboard. The public
sees a tender's flags only once its award is public (integrity.selectors.flags_public_for_tender).
"""

import rules

from procurement.permissions import is_auditor

rules.add_perm("integrity.view_flags", is_auditor)
rules.add_perm("integrity.review_flag", is_auditor)
