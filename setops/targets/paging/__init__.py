"""The vendor-neutral core of the paging targets (OpsGenie today, JSM Operations next).

    model.py     neutral objects: schedules, rotations (with their hours), overrides, escalation
    desired.py   Config + Schedule -> the objects the paging service should hold
    diff.py      desired vs current -> typed Changes; ownership by deterministic name; foreign
    safety.py    the safety rail: too many deletes, lost coverage
    sync.py      the Target base class: plan, pre-flight, apply loop (ordered, create_once)
    importer.py  the reverse: a vendor's timeline -> rotations/ YAML

A vendor module only translates these objects to and from its wire format (a `Backend`).
"""
