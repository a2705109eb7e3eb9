"""The vendor-neutral core of the paging targets (OpsGenie and JSM Operations).

    model.py     neutral objects: schedules, rotations (with their hours), overrides, escalation
    desired.py   Config + Schedule -> the objects the paging service should hold
    changes.py   desired vs current -> typed Changes; ownership by deterministic name; foreign
    safety.py    the safety rail: too many deletes, lost coverage
    sync.py      the Target base class: settings, plan, pre-flight, apply loop (create_once)
    unnamed.py   which overrides are setops' where the service makes their aliases (JSM)
    wire.py      the wire pieces OpsGenie and JSM share (instants, time restrictions)
    importer.py  the reverse: a vendor's timeline -> rotations/ YAML

    opsgenie/    OpsGenie REST v2: client (HTTP), wire (JSON), backend (calls, target)
    jsm_ops/     JSM Operations REST v1: client, wire, backend, the same way

A vendor package only translates these objects to and from its wire format (a `Backend`);
the core modules above never import a vendor package (an import-linter contract).
"""
