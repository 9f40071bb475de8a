"""Records: releases merged with the standard's merge rules (ocdsmerge), compiled and versioned.

ocdsmerge reads the merge rules from a release schema, which it would download; the rules of OCDS
1.1.5 patched with the koneps and red-flags (integrity) extensions are few and fixed, so they are written out here
(tests/opendata check them against the schema in OCDS_STANDARD_ZIP and the extension).
"""

import ocdsmerge

MERGE_RULES = {
    ("awards", "amendment", "changes"): "wholeListMerge",
    ("awards", "amendments", "changes"): "wholeListMerge",
    ("awards", "items", "additionalClassifications"): "wholeListMerge",
    ("awards", "suppliers", "additionalIdentifiers"): "wholeListMerge",
    ("bids", "commitments"): "wholeListMerge",
    ("bids", "details", "reservePicks"): "wholeListMerge",
    ("bids", "details", "tenderers", "additionalIdentifiers"): "wholeListMerge",
    ("buyer", "additionalIdentifiers"): "wholeListMerge",
    ("contracts", "amendment", "changes"): "wholeListMerge",
    ("contracts", "amendments", "changes"): "wholeListMerge",
    ("contracts", "implementation", "transactions", "payee", "additionalIdentifiers"): "wholeListMerge",
    ("contracts", "implementation", "transactions", "payer", "additionalIdentifiers"): "wholeListMerge",
    ("contracts", "items", "additionalClassifications"): "wholeListMerge",
    ("contracts", "relatedProcesses", "relationship"): "wholeListMerge",
    ("contracts", "signatures", "signatory", "additionalIdentifiers"): "wholeListMerge",
    ("date",): "omitWhenMerged",
    ("id",): "omitWhenMerged",
    ("parties", "additionalIdentifiers"): "wholeListMerge",
    ("parties", "roles"): "wholeListMerge",
    ("redFlags",): "wholeListMerge",
    ("relatedProcesses", "relationship"): "wholeListMerge",
    ("tag",): "omitWhenMerged",
    ("tender", "additionalProcurementCategories"): "wholeListMerge",
    ("tender", "amendment", "changes"): "wholeListMerge",
    ("tender", "amendments", "changes"): "wholeListMerge",
    ("tender", "evaluationRules", "tieBreak"): "wholeListMerge",
    ("tender", "items", "additionalClassifications"): "wholeListMerge",
    ("tender", "procuringEntity", "additionalIdentifiers"): "wholeListMerge",
    ("tender", "submissionMethod"): "wholeListMerge",
    ("tender", "tenderers", "additionalIdentifiers"): "wholeListMerge",
}

_merger = ocdsmerge.Merger(merge_rules=MERGE_RULES)


def compiled_release(releases: list[dict]) -> dict:
    return _merger.create_compiled_release(releases)


def versioned_release(releases: list[dict]) -> dict:
    return _merger.create_versioned_release(releases)


def record(releases: list[dict]) -> dict:
    """One contracting process's record: its releases, the compiled release and the version history."""
    return {
        "ocid": releases[0]["ocid"],
        "releases": releases,
        "compiledRelease": compiled_release(releases),
        "versionedRelease": versioned_release(releases),
    }
