"""The services setops keeps in step. Each target is one module behind `targets.base.Target`."""
