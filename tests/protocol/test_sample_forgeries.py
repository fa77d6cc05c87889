"""The audit's sampled papers decrypted by the trustees (PROTOCOL §13.1), in the Python
verifier: the honest bundle passes the three checks, and each forgery of
tests/protocol/forgeries.sample_cases fails its named check (the browser verifier runs the
same bundles in test_two_verifiers)."""
from __future__ import annotations

from election.protocol.verify import verify_bundle
from tests.protocol.forgeries import sample_cases

SAMPLE = ("audit_sample_decryption", "audit_sample_drawn", "audit_sample_compared")


def test_each_forgery_of_the_sample_fails_its_own_check_and_the_honest_one_passes():
    for name, data, _pins, must_fail in sample_cases():
        verdict = {c.name_en: c for c in verify_bundle(data)}
        assert all(n in verdict for n in SAMPLE), name
        assert all(c.ok for n, c in verdict.items() if n.startswith("recount")), (name, verdict)
        if must_fail is None:
            assert all(verdict[n].ok for n in SAMPLE), (name, {n: verdict[n].detail for n in SAMPLE})
        else:
            assert not verdict[must_fail].ok, (name, must_fail)
            # The checks before it in the chain of reasoning still hold: a forged partial is
            # not a paper left out, and a paper added or left out is decrypted soundly; a
            # conclusion its findings do not give (audit_recompute) is sampled soundly.
            before = {"audit_sample_decryption": ["audit_sample_drawn"], "audit_sample_drawn": ["audit_sample_decryption"],
                      "audit_sample_compared": ["audit_sample_decryption", "audit_sample_drawn"],
                      "audit_recompute": list(SAMPLE)}[must_fail]
            assert all(verdict[n].ok for n in before), (name, {n: verdict[n].detail for n in SAMPLE})
