"""A meeting's motion voted on secret paper (会议表决票): the round, its electors, its decision."""
