"""Bids from one browser: companies whose bids on one tender came from the same browser fingerprint
(keyed hash). Only fingerprints the page computed count: request headers alone are shared by
every copy of a common browser and would flag strangers.

Value: the most companies sharing one browser; flagged when value >= min_bids.
"""

from ._shared_origin import SharedOrigin


class SameBrowser(SharedOrigin):
    id = "same_browser"
    column = "fingerprint_hash"
    extra_condition = "o.fingerprint_source = 'client'"
    title_ko = "같은 브라우저에서 제출된 입찰"
    title_en = "Bids sent from the same browser"
    rationale_ko = (
        "서로 다른 업체의 입찰서가 같은 컴퓨터의 같은 브라우저에서 제출되었다면 한 사람이 여러 업체의 입찰을 "
        "작성했을 가능성이 큽니다. 입찰 대행 업체를 함께 쓰는 경우인지 확인하십시오."
    )
    rationale_en = (
        "Bids of different companies sent from the same browser on one computer strongly suggest one person "
        "prepared them. Check whether they share a bidding agent."
    )
    explanation_ko = "서로 다른 업체의 입찰서가 같은 브라우저에서 제출되었습니다."
    explanation_en = "Bids of different companies were sent from the same browser."
    inputs = ("integrity.BidOrigin.fingerprint_hash",)


RULE = SameBrowser()
