"""Turning schedules, on-call answers and diffs into text, Markdown, JSON and iCalendar."""
