"""The channel header's templates: which placeholders each may use, checked with the config.

Checked before anything is rendered, so a typo in `mattermost.header_template` is a
config problem at its place, not a failure of the Mattermost target.
"""

from __future__ import annotations

import string

from setops.config.models import MattermostSettings

HEADER_FIELDS = frozenset({"lead", "lead_name", "cycle_start", "cycle_end", "week_start", "shifts"})
SHIFT_FIELDS = frozenset({"shift", "primary", "backup", "primary_name", "backup_name"})


def placeholders(template: str) -> set[str]:
    """The `{name}` fields a template uses (raises ValueError on a malformed template)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def template_problems(settings: MattermostSettings) -> list[tuple[str, str]]:
    """(field, message) for each template that uses an unknown or malformed placeholder."""
    problems = []
    for field, allowed in (
        ("header_template", HEADER_FIELDS),
        ("header_shift_template", SHIFT_FIELDS),
    ):
        template = getattr(settings, field)
        try:
            unknown = sorted(placeholders(template) - allowed)
        except ValueError as exc:
            problems.append((field, f"malformed template: {exc}"))
            continue
        if unknown:
            problems.append(
                (
                    field,
                    f"unknown placeholder {{{unknown[0]}}}; use one of "
                    + ", ".join(f"{{{n}}}" for n in sorted(allowed)),
                )
            )
    return problems
