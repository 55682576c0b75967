"""The application: the command line, the runner that audits a stored crawl and writes the
reports, the finding lifecycle, ``doctor``, the feedback import and mail delivery.

It sits on top of the stages (``crawler``, ``audits``, ``reports``) and the core, and is the
only layer that may import them all.
"""
