"""The guided workflow: the stages of an election in the order the law sets, each with
its status, legal deadline, what is missing and the next action."""
