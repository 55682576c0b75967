"""The core: what every stage shares and nothing else.

The store (``store``), the profile model (``profile``), the finding type (``finding``), URL
canonicalisation (``urlcanon``), date reading (``dates``), pure HTML heuristics (``htmlheur``),
working days (``workdays``), units (``units``) and the audit run context (``context``). The
core imports no stage and no part of the application; ``make lint`` (import-linter) keeps it so.
"""
