"""setops: the Sustained Engineering Team (SET) of an engineering organisation, run as code."""

__version__ = "0.1.0"
