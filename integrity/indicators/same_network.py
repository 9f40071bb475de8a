"""Bids from one network address: companies whose bids on one tender came from the same address
(compared by keyed hash; the address itself is never stored).

Value: the most companies sharing one address; flagged when value >= min_bids.
"""

from ._shared_origin import SharedOrigin


class SameNetwork(SharedOrigin):
    id = "same_network"
    column = "network_hash"
    title_ko = "같은 네트워크 주소에서 제출된 입찰"
    title_en = "Bids sent from the same network address"
    rationale_ko = (
        "서로 경쟁해야 할 업체들의 입찰서가 같은 IP 주소에서 제출되었다면 한 사람이 여러 업체의 입찰을 대신 "
        "했을 가능성이 있습니다(조달청의 동일 IP 입찰 점검). 같은 건물의 공유 회선이나 대리인일 수도 있습니다."
    )
    rationale_en = (
        "Rival companies' bids sent from one network address suggest one person bid for several of them (KONEPS "
        "checks bids from the same IP). A shared office line or a common agent can also explain it."
    )
    explanation_ko = "서로 다른 업체의 입찰서가 같은 네트워크 주소에서 제출되었습니다."
    explanation_en = "Bids of different companies were sent from the same network address."
    inputs = ("integrity.BidOrigin.network_hash",)


RULE = SameNetwork()
