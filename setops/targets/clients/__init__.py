"""The clients the handover talks to, apart from the plan/apply targets."""
