"""zhaocuo (找错): audits Chinese government websites the way the national inspection does.

The package holds the thin core: the command line, the profile model, the store and the
finding type. The stages live beside it as top-level packages: ``crawler`` gathers,
``audits`` judges the stored crawl, ``reports`` writes what the audits found.
"""

__version__ = "0.1.0"
