"""sumbench: evaluate summarizers on tasks with ROUGE, key-fact recall and paper-style reports."""

__version__ = "0.1.0"
