"""Planning beside the schedule: each person's SET load (`load`) and fair proposals of the
next cycles (`propose`). Pure functions of the configuration; they import config and schedule
only."""
