"""The audit's seed in tests, as the street office makes it (docs/AUDIT.md §3): the auditor's
secret committed by its hash before the seal (``commit``), the public dice rolled after it
before two named witnesses and the secret revealed (``start``)."""
from __future__ import annotations

from fractions import Fraction

from sqlalchemy.orm import Session

from election.audit import service
from election.counting.tables import bundle_round
from election.errors import UserError
from election.models import Audit, Election
from election.protocol import rla

SECRET = "1414 2135 6237 3095 0488"
WITNESSES = "王监票、李代表"


def commit(db: Session, election: Election, round_number: int | None = None, actor: str = "auditor") -> str:
    """The auditor's commitment to SECRET (made before the seal)."""
    return service.commit_seed(db, election, rla.seed_commitment(SECRET), actor, round_number)


def start(db: Session, election: Election, dice: str, actor: str = "auditor", risk_limit: Fraction | None = None,
          round_number: int | None = None) -> Audit:
    """Roll ``dice`` before WITNESSES when the round is sealed after a commitment and no dice
    were rolled since, then reveal SECRET (start_audit): a refusal is start_audit's own."""
    number = bundle_round(db, election, round_number)
    steps = service.seed_steps(db, election, number)
    if steps.seal is not None and steps.commitment is not None and steps.dice is None:
        try:
            service.record_dice(db, election, dice, WITNESSES, actor, number)
        except UserError:
            pass  # start_audit below says why (an open audit, an ordered hand count)
    return service.start_audit(db, election, SECRET, actor, risk_limit, number)
