"""The bodies' size parameters, each changed to show the difference it makes: a committee
refused under the national defaults is accepted once the one parameter allows it (and the
reverse), so a parameter the check ignored would fail here."""
from __future__ import annotations

import pytest

from election.rules.bodies import BodiesConfig, BodiesError
from election.rules.rulebook import Rulebook

# (jwh 副主任, jwh 委员, jdw 副主任, jdw 委员) refused by the national defaults, and the change
# that accepts it.
CASES = [
    ((1, 1, 0, 2), {"jwh_size_min": 3}),             # 居委会 of 3: below 5 nationally
    ((2, 8, 0, 2), {"jwh_size_max": 11}),            # 居委会 of 11
    ((1, 4, 0, 2), {"jwh_size_odd": False}),         # 居委会 of 6: even
    ((0, 4, 0, 2), {"jwh_fu_zhuren_min": 0}),        # no 副主任
    ((3, 1, 0, 2), {"jwh_fu_zhuren_max": 3}),        # three 副主任
    ((1, 3, 0, 1), {"jdw_size_min": 2}),             # 监督委员会 of 2
    ((1, 3, 1, 5), {"jdw_size_max": 7}),             # 监督委员会 of 7 (the Shanghai preset)
    ((1, 3, 2, 1), {"jdw_fu_zhuren_max": 2}),        # two 监督委员会副主任
]


@pytest.mark.parametrize("sizes,change", CASES)
def test_one_parameter_decides(sizes, change):
    assert BodiesConfig.build(*sizes, Rulebook().with_changes(**change))
    with pytest.raises(BodiesError):
        BodiesConfig.build(*sizes, Rulebook())


def test_the_minimum_of_supervisory_vice_chairs_refuses_none():
    with pytest.raises(BodiesError, match="居务监督委员会副主任为 0 人"):
        BodiesConfig.build(1, 3, 0, 2, Rulebook().with_changes(jdw_fu_zhuren_min=1, jdw_fu_zhuren_max=1))
