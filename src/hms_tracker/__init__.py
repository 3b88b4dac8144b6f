"""hms-tracker: the HMS compliance tracker a Norwegian company runs for itself."""

__version__ = "0.1.0"
