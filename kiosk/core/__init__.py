"""The pure core: the guided session as a state machine, and the events that drive it.

Plain Python only (the import contracts forbid pygame, gpiozero, YAML and SQLite here): every
input carries the monotonic time it happened, nothing reads a clock, so all of it is tested
with plain numbers. Rules that decide what happens next (a schedule, a tally) belong here.
"""
